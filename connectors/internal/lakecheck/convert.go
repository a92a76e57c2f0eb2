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
	if out == "" {
		out = t.TempDir()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: opts,
		Policy: policy, Mem: mem})
	if err != nil {
		return pipeline.Result{}, out, err
	}
	store, err := lake.NewLocalStore(out)
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
	res, err := pipeline.Run(ctx, src.Source, nil, sink, pipeline.RunOptions{RunID: "test-run", Kind: kind.Name})
	return res, out, err
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
