package genesys

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// day0 is the first day of the test data: a Thursday like 1970-01-01, so
// a cell boundary of the 7-day grid (day 19726 = 7 * 2818).
var day0 = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)

// options points the kind at an emulator.
func options(e *genesystest.Emulator, users []string, extra ...string) map[string]string {
	m := map[string]string{
		"login_url": e.LoginURL(), "api_url": e.APIURL(),
		"client_id": "client-id", "client_secret": "client-secret",
		"user_ids": strings.Join(users, ","),
		"start":    day0.Format(time.DateOnly), "end": day0.AddDate(0, 0, 14).Format(time.DateOnly),
		"rate_limit": "1000/1s",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(m, extra[i])
			continue
		}
		m[extra[i]] = extra[i+1]
	}
	return m
}

// outcome is what a run left.
type outcome struct {
	res     pipeline.Result
	out     string
	cursors map[string]string
	err     error
}

// run is lakecheck.RunWith with the run's clock and saved cursors,
// returning the cursors the source reports.
func run(t testing.TB, opts map[string]string, now time.Time, cursors map[string]string, out string) outcome {
	t.Helper()
	r := lakecheck.RunWith(t, Kind(), lakecheck.Options{Opts: opts, Out: out, Now: now, Cursors: cursors})
	return outcome{res: r.Result, out: r.Out, cursors: r.Cursors, err: r.Err}
}

func mustRun(t testing.TB, opts map[string]string) outcome {
	t.Helper()
	o := run(t, opts, day0.AddDate(0, 1, 0), nil, "")
	if o.err != nil {
		t.Fatalf("run: %v", o.err)
	}
	return o
}

// keyed reads a table and fails on a duplicate key; it returns the rows
// by key.
func keyed(t testing.TB, out, table string, cols ...string) map[string]map[string]any {
	t.Helper()
	rows := map[string]map[string]any{}
	for _, r := range lakecheck.Table(t, out, table) {
		var parts []string
		for _, c := range cols {
			parts = append(parts, fmt.Sprint(r[c]))
		}
		k := strings.Join(parts, "|")
		if rows[k] != nil {
			t.Fatalf("%s: key %s written twice", table, k)
		}
		rows[k] = r
	}
	return rows
}

// committedFiles lists every file a run left under out (data, manifests,
// rejects), for checking that a failed run committed nothing.
func committedFiles(t testing.TB, out string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// report returns the kind's section of the run report.
func report(t testing.TB, o outcome) map[string]any {
	t.Helper()
	m, ok := o.res.Report["genesys"].(map[string]any)
	if !ok {
		t.Fatalf("no genesys report: %v", o.res.Report)
	}
	return m
}
