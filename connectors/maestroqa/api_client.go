package maestroqa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// SessionsPath is the export endpoint under base_url ([ext], doc error 57).
const SessionsPath = "/api/v1/coaching-sessions"

// exportRequest is the documented request body.
type exportRequest struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
	TimeAxis  string `json:"timeAxis"`
}

// exportAPI sends the export requests through one httpx.Client and spools
// each response body to a temporary file.
type exportAPI struct {
	c         *httpx.Client
	url       string // base_url + SessionsPath
	path      string // its path, for messages and rejects
	axis      string
	inclusive bool
	attempts  int   // times a window is asked for when its body breaks off
	maxBody   int64 // bytes a body may have
	dir       string
	bytes     *atomic.Int64 // the run's input-bytes counter, may be nil
	log       *slog.Logger
	budget    *httpx.RetryBudget // the run's; each restart spends a retry

	restarts int64 // windows asked again after a body broke off
}

func newExportAPI(c *httpx.Client, o APIOptions, budget *httpx.RetryBudget, bytesRead *atomic.Int64, log *slog.Logger) *exportAPI {
	a := &exportAPI{c: c, url: o.BaseURL + SessionsPath, axis: o.TimeAxis, inclusive: o.EndInclusive,
		attempts: o.MaxAttempts, maxBody: o.MaxBodyBytes, dir: o.SpoolDir, bytes: bytesRead, log: log, budget: budget}
	a.path = SessionsPath
	if u, err := url.Parse(a.url); err == nil {
		a.path = u.EscapedPath()
	}
	return a
}

func (a *exportAPI) body(w window) exportRequest {
	return exportRequest{StartDate: w.startDate(), EndDate: w.endDate(a.inclusive), TimeAxis: a.axis}
}

// input names window w's output files. It holds everything that decides
// the answer (host, path, dates, axis) and no secret, so a rerun of the
// window replaces the files.
func (a *exportAPI) input(w window) string {
	b := a.body(w)
	return "maestroqa:" + a.url + "?startDate=" + b.StartDate + "&endDate=" + b.EndDate + "&timeAxis=" + b.TimeAxis
}

// source names window w's request in rejects and errors.
func (a *exportAPI) source(w window) string {
	b := a.body(w)
	return fmt.Sprintf("POST %s page 1 (startDate=%s endDate=%s timeAxis=%s)", a.path, b.StartDate, b.EndDate, b.TimeAxis)
}

// spooled is one window's response body in a temporary file.
type spooled struct {
	w      window
	f      *os.File
	bytes  int64
	sha256 string
}

// reader rewinds the file and returns it.
func (s *spooled) reader() (io.Reader, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return s.f, nil
}

// remove deletes the file.
func (s *spooled) remove() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// bodyError is a failure while reading a response body: the connection
// broke off or went idle past request_timeout after the headers.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "read response body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// fetch asks for window w and spools the whole body. httpx retries
// statuses and failed connections until the headers arrive; a body that
// breaks off after them is asked for again here, as httpx.Stream leaves
// it to the caller, at most max_attempts times in all, each repeat spending
// one retry of the run's retry_budget. Nothing of a broken body reaches the
// Decoder.
func (a *exportAPI) fetch(ctx context.Context, w window) (*spooled, error) {
	body, err := json.Marshal(a.body(w))
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(a.dir, "maestroqa-*.json")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	sp := &spooled{w: w, f: f}
	for attempt := 1; ; attempt++ {
		err := a.download(ctx, body, sp)
		if err == nil {
			if a.bytes != nil {
				a.bytes.Add(sp.bytes)
			}
			return sp, nil
		}
		var broke *bodyError
		if !errors.As(err, &broke) || attempt >= a.attempts || ctx.Err() != nil {
			sp.remove()
			if broke != nil {
				err = fmt.Errorf("POST %s: %w (after %d attempts)", a.path, err, attempt)
			}
			return nil, err
		}
		if berr := a.budget.Spend(); berr != nil {
			sp.remove()
			return nil, fmt.Errorf("POST %s: %w: %w (after %d attempts)", a.path, berr, err, attempt)
		}
		a.restarts++
		a.log.Warn("maestroqa response body broke off; asking for the window again",
			slog.String("window", w.String()), slog.Int("attempt", attempt), slog.String("error", err.Error()))
	}
}

// download sends the request once (with httpx's retries up to the
// headers) and copies the body into the spool file, replacing what an
// earlier attempt left there.
func (a *exportAPI) download(ctx context.Context, body []byte, sp *spooled) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("POST %s: %w", a.path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := a.c.Stream(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := sp.f.Truncate(0); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(sp.f, h), bodyReader{io.LimitReader(resp.Body, a.maxBody+1)})
	if err != nil {
		if _, ok := errors.AsType[*bodyError](err); ok {
			return err
		}
		return fmt.Errorf("spool: %w", err)
	}
	if n > a.maxBody {
		return fmt.Errorf("POST %s: the response body passed max_body_bytes (%d bytes): use a smaller window_days", a.path, a.maxBody)
	}
	sp.bytes, sp.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}
