package uploadtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// Reject is a reject a test run must write: Pos is its line (CSV) or
// record index (JSON), Reason a substring of its reason.
type Reject struct {
	Pos    int64
	Column string
	Reason string
}

// CheckRejects compares the rejects of table in the lake at out with csv,
// by line, followed by json, by record index, in that order. It returns
// the rejects read, for checks of the caller's own.
func CheckRejects(t testing.TB, out, table string, csv, json []Reject) []pipeline.RejectJSON {
	t.Helper()
	rej := lakecheck.Rejects(t, out, table)
	if len(rej) != len(csv)+len(json) {
		t.Fatalf("got %d rejects, want %d: %+v", len(rej), len(csv)+len(json), rej)
	}
	for i, w := range append(append([]Reject(nil), csv...), json...) {
		r := rej[i]
		pos := r.Line
		if i >= len(csv) {
			if r.Record == nil {
				t.Errorf("reject %d: no record index: %+v", i, r)
				continue
			}
			pos = *r.Record
		}
		if pos != w.Pos || r.Column != w.Column || !strings.Contains(r.Reason, w.Reason) {
			t.Errorf("reject %d: got pos %d column %q reason %q, want %d %q %q", i, pos, r.Column, r.Reason, w.Pos, w.Column, w.Reason)
		}
	}
	return rej
}

// CheckReport compares a run's report with want, as printed.
func CheckReport(t testing.TB, res pipeline.Result, want map[string]any) {
	t.Helper()
	if fmt.Sprint(res.Report) != fmt.Sprint(want) {
		t.Errorf("report %v, want %v", res.Report, want)
	}
}
