package genesys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// Paths of the endpoints the kind reads (SPEC 3.1).
const (
	appointmentsPath = "/api/v2/coaching/appointments"
	statusesPath     = "/api/v2/coaching/appointments/%s/statuses"
	annotationsPath  = "/api/v2/coaching/appointments/%s/annotations"
)

// maxPages stops a list a server keeps answering with full pages and no
// pageCount.
const maxPages = 100_000

// api sends the kind's requests through one httpx.Client.
type api struct {
	c        *httpx.Client
	base     string
	pageSize int
	bytes    *atomic.Int64 // the run's input-bytes counter, may be nil
}

// page is one list response: the envelope of every Genesys list
// (CoachingAppointmentResponseList, CoachingAppointmentStatusDtoList,
// CoachingAnnotationList; SPEC 3.3 [ext]).
type page struct {
	Entities   []json.RawMessage `json:"entities"`
	PageSize   int               `json:"pageSize"`
	PageNumber int               `json:"pageNumber"`
	PageCount  int               `json:"pageCount"`
	Total      int64             `json:"total"`

	number int    // the page asked for
	source string // "<METHOD path> page N", for rejects
	bytes  int
}

// more reports whether a later page may hold entities: until pageNumber
// reaches pageCount, or, when the server sends no pageCount, until an empty
// or short page.
func (p *page) more(asked int) bool {
	switch {
	case len(p.Entities) == 0 || p.number >= maxPages:
		return false
	case p.PageCount > 0:
		return p.number < p.PageCount
	}
	size := asked
	if p.PageSize > 0 {
		size = p.PageSize
	}
	return len(p.Entities) >= size
}

// list fetches page number n of the list at path with query q.
func (a *api) list(ctx context.Context, path string, q url.Values, n int, label string) (*page, error) {
	q.Set("pageNumber", strconv.Itoa(n))
	q.Set("pageSize", strconv.Itoa(a.pageSize))
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitAPI), http.MethodGet, a.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return nil, err
	}
	if a.bytes != nil {
		a.bytes.Add(int64(len(resp.Body)))
	}
	p := &page{number: n, bytes: len(resp.Body), source: fmt.Sprintf("GET %s page %d%s", path, n, label)}
	if err := json.Unmarshal(resp.Body, p); err != nil {
		return nil, fmt.Errorf("%s: %s", p.source, jsonProblem(err))
	}
	return p, nil
}

// each calls fn with every page of the list at path, in order.
func (a *api) each(ctx context.Context, path string, fn func(*page)) error {
	for n := 1; ; n++ {
		p, err := a.list(ctx, path, url.Values{}, n, "")
		if err != nil {
			return err
		}
		fn(p)
		if !p.more(a.pageSize) {
			return nil
		}
	}
}

// jsonProblem describes a JSON decoding error by position and type only,
// never quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("response is not valid JSON (byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("response field %s is a JSON %s, not the documented type", typ.Field, typ.Value)
		}
		return fmt.Sprintf("response is a JSON %s, not the documented list object", typ.Value)
	}
	return "response is not the documented list object"
}
