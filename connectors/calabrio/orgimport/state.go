package orgimport

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// current is a row the tenant holds, as upload cells.
type current struct {
	id   int
	wire map[string]string
}

// orgState is one entity's rows on the tenant and the columns its export
// shows (only those can be compared).
type orgState struct {
	rows  []*current
	shown map[string]bool
}

// read gets an entity's export and decodes it with the org export decoder.
func (t *target) read(ctx context.Context, typ string) (*orgState, error) {
	resp, err := t.conn.Do(ctx, http.MethodGet, calapi.FileExportPath+typ, nil, nil, "", "text/csv, */*")
	if err != nil {
		return nil, fmt.Errorf("read the %s export: %w", typ, err)
	}
	opts := map[string]string{}
	if hm := t.o.headerMaps[typ]; hm != "" {
		opts["header_map"] = hm
	}
	src, err := org.NewExportSource(typ, bytes.NewReader(resp.Body), "GET "+calapi.FileExportPath+typ, opts,
		pipeline.DefaultBatchPolicy(), memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	st := &orgState{shown: t.shownColumns(typ, resp.Body)}
	fields := t.fields[typ]
	for {
		b, err := src.Next(ctx)
		if err == pipeline.ErrEndOfInput {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read the %s export: %w", typ, err)
		}
		if len(b.Rejects) > 0 {
			b.Release()
			return nil, fmt.Errorf("the %s export has rows ccetl cannot read (first: %v); nothing is planned on a state it cannot see",
				typ, &b.Rejects[0].RowError)
		}
		for i := 0; b.Rec != nil && i < int(b.Rec.NumRows()); i++ {
			vals, err := pipeline.RowValues(b.Rec, i)
			if err != nil {
				b.Release()
				return nil, err
			}
			w := wireOf(fields, vals)
			id, _ := vals[fields[0].Column].(int64)
			delete(w, idKey(typ))
			st.rows = append(st.rows, &current{id: int(id), wire: w})
		}
		b.Release()
	}
	return st, nil
}

// shownColumns returns the upload keys of the columns an export's header
// holds, matched as the export decoder matches them: the key or its English
// label (or a header_map label), case and spaces aside.
func (t *target) shownColumns(typ string, body []byte) map[string]bool {
	header, err := csv.NewReader(bytes.NewReader(body)).Read()
	out := map[string]bool{}
	if err != nil {
		return out
	}
	norm := func(s string) string {
		return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(s, "\ufeff"), " ", ""))
	}
	names := map[string]string{}
	for _, f := range t.fields[typ] {
		names[norm(f.Key)] = f.Key
		for _, l := range f.Labels {
			names[norm(l)] = f.Key
		}
	}
	for pair := range strings.SplitSeq(t.o.headerMaps[typ], ";") {
		if label, key, ok := strings.Cut(pair, "="); ok {
			names[norm(label)] = strings.TrimSpace(key)
		}
	}
	for _, h := range header {
		if k, ok := names[norm(h)]; ok {
			out[k] = true
		}
	}
	return out
}

// byKey indexes rows by an entity's identity for Fingerprint.
func (s *orgState) byKey(typ string) map[string]push.Current {
	out := make(map[string]push.Current, len(s.rows))
	for _, r := range s.rows {
		out[fmt.Sprint(r.id)] = push.Current{ID: fmt.Sprint(r.id), Wire: r.wire}
	}
	return out
}

// find returns the row a team or group name names.
func (s *orgState) findName(name string) *current {
	for _, r := range s.rows {
		if r.wire["name"] == name {
			return r
		}
	}
	return nil
}

var personIdentity = []string{"email", "adLogin", "acdId"}

// findPerson returns the person a row names (by id, else by any
// identifier), or an error when identifiers name different persons.
func (s *orgState) findPerson(want map[string]string) (*current, error) {
	if id := want["personId"]; id != "" && id != "0" {
		for _, r := range s.rows {
			if fmt.Sprint(r.id) == id {
				return r, nil
			}
		}
	}
	var found *current
	var by string
	for _, k := range personIdentity {
		v := want[k]
		if v == "" {
			continue
		}
		for _, r := range s.rows {
			if strings.EqualFold(r.wire[k], v) {
				if found != nil && found != r {
					return nil, fmt.Errorf("%s matches person %d but %s matches person %d", by, found.id, k, r.id)
				}
				found, by = r, k
			}
		}
	}
	return found, nil
}
