package maestroqa

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
	"github.com/ccetl/ccetl/pipeline"
)

// apiOptions are the kind's options against emulator e: no client-side
// limit and short backoffs unless kv overrides them. The spool folder is
// the test's own, so tests can check it is left empty.
func apiOptions(t testing.TB, e *maestroqatest.Emulator, kv ...string) map[string]string {
	t.Helper()
	m := map[string]string{
		"base_url":    e.URL(),
		"api_token":   e.Token(),
		"rate_limit":  "1000/1ms",
		"retry_delay": "1ms",
		"spool_dir":   t.TempDir(),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// emulator starts an emulator without limits holding the repaired
// reference example.
func emulator(t testing.TB, cfg maestroqatest.Config) *maestroqatest.Emulator {
	t.Helper()
	e := maestroqatest.New(t, cfg)
	e.MustAddSessions(readTestdata(t, "export.json"))
	return e
}

// stateRun is the outcome of a run with job state.
type stateRun struct {
	res     pipeline.Result
	out     string
	cursors map[string]string
	err     error
}

// runWithState runs the kind into out with lakecheck.RunWith, with the
// job's saved cursors and clock, and returns the cursors the source
// reports.
func runWithState(t testing.TB, opts map[string]string, out string, cursors map[string]string, now time.Time) stateRun {
	t.Helper()
	r := lakecheck.RunWith(t, APIKind(), lakecheck.Options{Opts: opts, Out: out, Cursors: cursors, Now: now})
	return stateRun{res: r.Result, out: r.Out, cursors: r.Cursors, err: r.Err}
}

// mustRun is runWithState that fails the test on a run error.
func mustRun(t testing.TB, opts map[string]string, out string, cursors map[string]string, now time.Time) stateRun {
	t.Helper()
	r := runWithState(t, opts, out, cursors, now)
	if r.err != nil {
		t.Fatalf("run: %v", r.err)
	}
	for name, s := range r.res.Tables {
		if !s.Balanced() {
			t.Fatalf("%s does not reconcile: %+v", name, s)
		}
	}
	return r
}

// keyCols are the key columns of each table (SPEC.md section 9).
var keyCols = map[string][]string{
	SessionTableName:     {"id"},
	ActivityLogTableName: {"session_id", "ordinal"},
	PointTableName:       {"id"},
	PointFormTableName:   {"coaching_point_id", "coaching_form_id"},
	TodoTableName:        {"id"},
	TodoFormTableName:    {"todo_id", "coaching_form_id"},
}

// exactlyOnce reads every table of the lake at out back and fails on a
// key written twice. It returns the rows per table.
func exactlyOnce(t testing.TB, out string) map[string][]map[string]any {
	t.Helper()
	tables := map[string][]map[string]any{}
	for _, tb := range Tables {
		rows := lakecheck.Table(t, out, tb.Name)
		seen := map[string]bool{}
		for _, r := range rows {
			var k []string
			for _, c := range keyCols[tb.Name] {
				k = append(k, fmt.Sprint(r[c]))
			}
			key := strings.Join(k, "|")
			if seen[key] {
				t.Errorf("%s: key %s written more than once", tb.Name, key)
			}
			seen[key] = true
		}
		tables[tb.Name] = rows
	}
	return tables
}

// committedNothing fails when anything was committed under out.
func committedNothing(t testing.TB, out string) {
	t.Helper()
	var files []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) > 0 {
		t.Fatalf("a failed run committed %d files, such as %s", len(files), files[0])
	}
}

// emptyDir fails when the spool folder still holds a body.
func emptyDir(t testing.TB, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) > 0 {
		t.Fatalf("spool folder holds %d files after the run, such as %s", len(ents), ents[0].Name())
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// noon is a run clock on day s.
func noon(s string) time.Time { return date(s).Add(12 * time.Hour) }

// ids returns the values of column col.
func ids(rows []map[string]any, col string) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, r := range rows {
		m[fmt.Sprint(r[col])] = r
	}
	return m
}
