package livevox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

// run is lakecheck.RunWith (a local lake at out, or a fresh one when out
// is "", a checked allocator that must end at zero, batches of 1000 rows)
// with the snapshot clock at now.
func run(t testing.TB, now time.Time, opts map[string]string, out string) (pipeline.Result, string, error) {
	t.Helper()
	return runPolicy(t, now, opts, out, pipeline.BatchPolicy{MaxRows: 1000, MaxBytes: 1 << 20}, nil)
}

// runPolicy is run with a batch policy and prep, when not nil, called on
// the opened source before the run.
func runPolicy(t testing.TB, now time.Time, opts map[string]string, out string, policy pipeline.BatchPolicy, prep func(testing.TB, *source)) (pipeline.Result, string, error) {
	t.Helper()
	o := lakecheck.Options{Opts: opts, Out: out, Policy: policy, Now: now}
	if prep != nil {
		o.Prepare = func(s pipeline.Source) { prep(t, s.(*source)) }
	}
	r := lakecheck.RunWith(t, Kind(), o)
	return r.Result, r.Out, r.Err
}

// warm opens the source's HTTP connection with a request to a path the
// emulator neither counts nor limits, sent under the rate limiter. httpx
// records a request's send time when the limiter admits it, before the
// connection is dialled; on a loaded machine the first dial takes tens of
// milliseconds, so the server sees the first request late and the first
// request of the next window early, past the limiter's margin (framework
// issue, reported). Timing tests warm the connection so that they measure
// the limiter, not the dial.
func warm(t testing.TB, s *source) {
	t.Helper()
	resp, err := (&http.Client{Transport: s.cl.transport}).Get(s.o.BaseURL.String() + "/warmup")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// mustRun is run that fails the test on a run error.
func mustRun(t testing.TB, opts map[string]string) (pipeline.Result, string) {
	t.Helper()
	res, out, err := run(t, testNow, opts, "")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res, out
}

// testNow is the fixed clock of the tests' snapshots.
var testNow = time.Date(2024, 5, 17, 6, 30, 0, 123_000_000, time.UTC)

// kindAt is the kind with its clock fixed, as a job's SourceConfig.Now
// fixes it (lakecheck leaves Now zero).
func kindAt(now time.Time) pipeline.Kind {
	k := Kind()
	open := k.Open
	k.Open = func(ctx context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
		cfg.Now = now
		return open(ctx, cfg)
	}
	return k
}

// options points the kind at e as livevoxtest.DefaultUser, without a rate
// limit and with short backoffs; extra holds name, value pairs.
func options(e *livevoxtest.Emulator, extra ...string) map[string]string {
	u := livevoxtest.DefaultUser
	m := map[string]string{
		"base_url": e.URL, "access_token": livevoxtest.DefaultToken,
		"client_name": u.ClientName, "username": u.UserName, "password": u.Password,
		"rate_limit": "none", "retry_delay": "2ms",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// unique fails on a repeated key and returns the rows by key.
func unique(t *testing.T, table string, rows []map[string]any, cols ...string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rows {
		var k []string
		for _, c := range cols {
			k = append(k, fmt.Sprint(r[c]))
		}
		key := strings.Join(k, "/")
		if _, dup := out[key]; dup {
			t.Errorf("%s: key %s written twice", table, key)
		}
		out[key] = r
	}
	return out
}

// keys returns the sorted keys of m.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wantKeys renders ids as unique's keys, sorted.
func wantKeys[T any](items []T, key func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, key(it))
	}
	sort.Strings(out)
	return out
}

// committedNothing fails when out holds any data file or manifest.
func committedNothing(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".parquet") || strings.Contains(p, "_manifests")) {
			t.Errorf("a failed run left %s", p)
		}
		return nil
	})
}
