package lakecheck

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// Run converts inputs with kind into a local lake at out (a fresh temporary
// folder when out is ""), with a checked allocator that must end at zero.
// It returns the run result, the output folder and the run error.
// Batches are small (1000 rows) so tests cross batch boundaries.
func Run(t testing.TB, kind pipeline.Kind, opts map[string]string, out string, inputs ...string) (pipeline.Result, string, error) {
	t.Helper()
	return RunPolicy(t, kind, opts, out, pipeline.BatchPolicy{MaxRows: 1000, MaxBytes: 1 << 20}, inputs...)
}

// RunPolicy is Run with a batch policy (benchmarks use the default one).
func RunPolicy(t testing.TB, kind pipeline.Kind, opts map[string]string, out string, policy pipeline.BatchPolicy, inputs ...string) (pipeline.Result, string, error) {
	t.Helper()
	o := RunWith(t, kind, Options{Opts: opts, Out: out, Policy: policy}, inputs...)
	return o.Result, o.Out, o.Err
}

// Options are the settings of RunWith; the zero value is Run's.
type Options struct {
	Opts    map[string]string
	Out     string               // the lake folder; "" is a fresh temporary one
	Policy  pipeline.BatchPolicy // zero: 1000 rows, 1 MiB
	Now     time.Time            // the run's clock (SourceConfig.Now)
	Cursors map[string]string    // the saved cursors (SourceConfig.Cursors)
	Remote  map[string]pipeline.RemoteFiles
	// Prepare, when set, is called with the opened source before the run
	// (to warm a connection, say).
	Prepare func(pipeline.Source)
}

// Outcome is what RunWith left.
type Outcome struct {
	Result  pipeline.Result
	Out     string
	Cursors map[string]string // the source's new cursors after a successful run; nil otherwise
	Err     error
}

// RunWith is Run with a clock, saved cursors and remote inputs; it also
// returns the cursors the source reports (pipeline.CursorReporter) after a
// successful run. The runner gets the kind's own source, so optional
// interfaces (FileStoreUser, Reporter, InputReporter) work.
func RunWith(t testing.TB, kind pipeline.Kind, o Options, inputs ...string) Outcome {
	t.Helper()
	r := Outcome{Out: o.Out}
	if r.Out == "" {
		r.Out = t.TempDir()
	}
	policy := o.Policy
	if policy == (pipeline.BatchPolicy{}) {
		policy = pipeline.BatchPolicy{MaxRows: 1000, MaxBytes: 1 << 20}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: o.Opts,
		Policy: policy, Mem: mem, Now: o.Now, Cursors: o.Cursors, Remote: o.Remote})
	if err != nil {
		r.Err = err
		return r
	}
	if o.Prepare != nil {
		o.Prepare(src.Source)
	}
	store, err := lake.NewLocalStore(r.Out)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	lo := lake.DefaultOptions()
	lo.Allocator = mem
	sink, err := lake.NewSink(store, src.Tables(), src.RunKey, lo)
	if err != nil {
		t.Fatal(err)
	}
	// src.Source, not the OpenedSource: the runner finds the optional
	// interfaces on the value it is given.
	r.Result, r.Err = pipeline.Run(ctx, src.Source, nil, sink, pipeline.RunOptions{RunID: "test-run", Kind: kind.Name})
	if cr, ok := src.Source.(pipeline.CursorReporter); ok && r.Err == nil {
		r.Cursors = cr.Cursors()
	}
	return r
}

// MustRun is Run that fails the test on a run error.
func MustRun(t testing.TB, kind pipeline.Kind, opts map[string]string, inputs ...string) (pipeline.Result, string) {
	t.Helper()
	res, out, err := Run(t, kind, opts, "", inputs...)
	if err != nil {
		t.Fatalf("run %s: %v", kind.Name, err)
	}
	return res, out
}

// Files lists a table's Parquet files under out, in path order.
func Files(t testing.TB, out, table string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(filepath.Join(out, table), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files
}

// Table reads every row of a table under out with the independent reader, as
// maps from column name to value, files in path order.
func Table(t testing.TB, out, table string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, f := range Files(t, out, table) {
		cols, rs, err := ReadParquet(f)
		if err != nil {
			t.Fatalf("read back %s: %v", f, err)
		}
		for _, r := range rs {
			m := make(map[string]any, len(cols))
			for i, c := range cols {
				m[c] = r[i]
			}
			rows = append(rows, m)
		}
	}
	return rows
}

// Rejects reads a table's rejects files under out.
func Rejects(t testing.TB, out, table string) []pipeline.RejectJSON {
	t.Helper()
	var rejects []pipeline.RejectJSON
	files, _ := filepath.Glob(filepath.Join(out, "_rejects", table, "*.jsonl"))
	sort.Strings(files)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var r pipeline.RejectJSON
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("rejects %s: %v", f, err)
			}
			rejects = append(rejects, r)
		}
		fh.Close()
	}
	return rejects
}

// WriteFile writes content to dir/name and returns the path.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
