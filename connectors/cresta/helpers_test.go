package cresta

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var now0 = time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)

func planNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("customers/acme/profiles/default/coachingPlans/plan-%02d", i))
	}
	return out
}

func options(e *crestatest.Emulator, plans []string, extra ...string) map[string]string {
	m := map[string]string{"base_url": e.URL(), "api_token": crestatest.DefaultToken,
		"plans": strings.Join(plans, ","), "rate_limit": "1000/1s"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

type outcome struct {
	res pipeline.Result
	out string
	err error
}

// run is lakecheck.RunWith with the run's clock (snapshot_at).
func run(t testing.TB, opts map[string]string, now time.Time, out string) outcome {
	t.Helper()
	r := lakecheck.RunWith(t, Kind(), lakecheck.Options{Opts: opts, Out: out, Now: now})
	return outcome{res: r.Result, out: r.Out, err: r.Err}
}

// rows reads the table, failing on a duplicate (name, snapshot_at).
func rows(t testing.TB, out string) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	for _, r := range lakecheck.Table(t, out, TableName) {
		k := fmt.Sprint(r["name"], "|", r["snapshot_at"])
		if m[k] != nil {
			t.Fatalf("row %s written twice", k)
		}
		m[k] = r
	}
	return m
}

func key(name string, at time.Time) string { return fmt.Sprint(name, "|", at.UnixMilli()) }

func report(t testing.TB, o outcome) map[string]any {
	t.Helper()
	m, ok := o.res.Report["cresta"].(map[string]any)
	if !ok {
		t.Fatalf("no cresta report: %v", o.res.Report)
	}
	return m
}

func failedClean(t testing.TB, o outcome) {
	t.Helper()
	if o.err == nil {
		t.Fatal("run succeeded")
	}
	var files []string
	filepath.WalkDir(o.out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("a failed run left %v", files)
	}
}
