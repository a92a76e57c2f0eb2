package api

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// fast are option values that keep tests quick: no real rate limit,
// millisecond backoffs and polls.
var fast = map[string]string{
	"rate_limit": "10000/1s", "retry_delay": "1ms", "poll_interval": "1ms", "poll_max_interval": "4ms",
	"media_wait": "1ms", "media_max_wait": "4ms",
}

// opts are the connection options for emulator e, fast, plus kvs.
func opts(e *calabriotest.Emulator, kvs ...string) map[string]string {
	m := map[string]string{"base_url": e.URL, "username": calabriotest.DefaultUsername, "password": calabriotest.DefaultPassword}
	for k, v := range fast {
		m[k] = v
	}
	for i := 0; i+1 < len(kvs); i += 2 {
		m[kvs[i]] = kvs[i+1]
	}
	return m
}

// only keeps the options a kind knows (fast holds options of every kind).
func only(k pipeline.Kind, m map[string]string) map[string]string {
	known := map[string]bool{}
	for _, o := range k.Options {
		known[o.Name] = true
	}
	out := map[string]string{}
	for n, v := range m {
		if known[n] {
			out[n] = v
		}
	}
	return out
}

// runOut is what run returns.
type runOut struct {
	res     pipeline.Result
	out     string
	cursors map[string]string
	err     error
}

// run is lakecheck.RunWith with the kind's own options only (checked
// first), saved cursors and a fixed clock; it returns the cursors the
// source reports.
func run(t testing.TB, kind pipeline.Kind, o map[string]string, cursors map[string]string, now time.Time) runOut {
	t.Helper()
	o = only(kind, o)
	if err := kind.CheckOptions(o); err != nil {
		t.Fatal(err)
	}
	r := lakecheck.RunWith(t, kind, lakecheck.Options{Opts: o, Cursors: cursors, Now: now})
	return runOut{res: r.Result, out: r.Out, cursors: r.Cursors, err: r.Err}
}

func mustRun(t testing.TB, kind pipeline.Kind, o map[string]string, cursors map[string]string, now time.Time) runOut {
	t.Helper()
	r := run(t, kind, o, cursors, now)
	if r.err != nil {
		t.Fatalf("run %s: %v", kind.Name, r.err)
	}
	return r
}

// rows reads a table back with the independent Parquet reader.
func rows(t testing.TB, out, table string) []map[string]any {
	t.Helper()
	return lakecheck.Table(t, out, table)
}

// uniqueBy fails the test when two rows share a key and returns the keys.
func uniqueBy(t testing.TB, rs []map[string]any, cols ...string) map[string]map[string]any {
	t.Helper()
	seen := map[string]map[string]any{}
	for _, r := range rs {
		var parts []string
		for _, c := range cols {
			parts = append(parts, toString(r[c]))
		}
		k := strings.Join(parts, "|")
		if _, dup := seen[k]; dup {
			t.Fatalf("duplicate key %v = %s", cols, k)
		}
		seen[k] = r
	}
	return seen
}

func toString(v any) string { return fmt.Sprint(v) }

// nothingCommitted fails the test when any Parquet file or manifest is in
// out.
func nothingCommitted(t testing.TB, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".parquet") || strings.Contains(p, "_manifests")) {
			t.Errorf("committed after a failed run: %s", p)
		}
		return nil
	})
}

// day0 is the first day of the test data, and now a fixed clock after it.
var (
	day0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	now  = time.Date(2024, 3, 20, 15, 30, 0, 0, time.UTC)
)

func days(n int) time.Time { return day0.AddDate(0, 0, n) }
