package lake_test

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// faultStore wraps a store: committing a key that failCommit matches fails,
// and so does Delete when failDelete is set. It stands for a process that
// dies at that step of a commit.
type faultStore struct {
	Store
	failCommit func(key string) bool
	failDelete bool
}

type faultWriter struct {
	ObjectWriter
	s *faultStore
}

func (f *faultStore) Create(ctx context.Context, key string) (ObjectWriter, error) {
	w, err := f.Store.Create(ctx, key)
	return &faultWriter{w, f}, err
}

func (f *faultStore) Delete(ctx context.Context, keys ...string) error {
	if f.failDelete && len(keys) > 0 {
		return errors.New("connection reset")
	}
	return f.Store.Delete(ctx, keys...)
}

func (w *faultWriter) Commit(ctx context.Context) error {
	if w.s.failCommit != nil && w.s.failCommit(w.Key()) {
		return errors.New("connection reset")
	}
	return w.ObjectWriter.Commit(ctx)
}

// run commits specs through a fresh sink on store under key (the run key of
// the inputs' names when key is ""), checkpointing after each input but the
// last.
func run(t *testing.T, store Store, key string, specs ...writeSpec) error {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := DefaultOptions()
	opts.Allocator = mem
	var names []string
	for _, s := range specs {
		names = append(names, s.input)
	}
	if key == "" {
		key = pipeline.RunKey("test", names)
	}
	sink, err := NewSink(store, []pipeline.Table{testTable}, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, s := range specs {
		rec := batch(mem, s.from, s.to, s.perD)
		err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: s.input})
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		info := pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: s.input}}}
		if i < len(specs)-1 {
			if _, err := sink.Checkpoint(ctx, info); err != nil {
				sink.Abort(ctx)
				return err
			}
			assertExact(t, store, "after the checkpoint of "+s.input)
			continue
		}
		info.Inputs = nil
		for _, s := range specs {
			info.Inputs = append(info.Inputs, pipeline.InputInfo{Name: s.input})
		}
		if _, err := sink.Close(ctx, info); err != nil {
			sink.Abort(ctx)
			return err
		}
	}
	return nil
}

func checkLake(t *testing.T, store Store) pipeline.LakeCheck {
	t.Helper()
	res, err := Check(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func assertExact(t *testing.T, store Store, when string) {
	t.Helper()
	if res := checkLake(t, store); len(res.Problems) > 0 {
		t.Fatalf("%s: %+v", when, res.Problems)
	}
}

// listed returns the files a run key's manifest of events lists, nil when
// there is no such manifest.
func listed(t *testing.T, store Store, key string) []string {
	t.Helper()
	m, err := ReadManifest(context.Background(), store, path.Join("_manifests", "events", key+".json"))
	if errors.Is(err, ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var rows int64
	for _, f := range m.Files {
		out = append(out, f.Path)
		rows += f.Rows
	}
	if rows != m.Rows {
		t.Fatalf("manifest %s: files hold %d rows, it says %d", key, rows, m.Rows)
	}
	slices.Sort(out)
	return out
}

func newStore(t *testing.T) *LocalStore {
	t.Helper()
	st, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var (
	inA      = writeSpec{"/in/a.csv", 0, 1500, 500}    // 3 days and the null-date partition
	inAShort = writeSpec{"/in/a.csv", 0, 400, 500}     // 1 day and the null-date partition
	inB      = writeSpec{"/in/b.csv", 5000, 6000, 500} // 2 days and the null-date partition
)

func inputFiles(files []string, in string) []string {
	key := pipeline.InputKey(in)
	return slices.DeleteFunc(slices.Clone(files), func(f string) bool { return !strings.Contains(f, "part-"+key+"-") })
}

// A and B, then A alone producing fewer files: the first run's manifest
// keeps B's files only, the rerun's lists A's new ones, and a rerun of A and
// B again removes the emptied manifest of the A-only run.
func TestManifestsExactAfterPartialRerun(t *testing.T) {
	store := newStore(t)
	keyAB := pipeline.RunKey("test", []string{inA.input, inB.input})
	keyA := pipeline.RunKey("test", []string{inA.input})
	if err := run(t, store, "", inA, inB); err != nil {
		t.Fatal(err)
	}
	assertExact(t, store, "after A+B")
	first := listed(t, store, keyAB)
	if len(inputFiles(first, inA.input)) != 4 || len(inputFiles(first, inB.input)) != 3 {
		t.Fatalf("first run lists %v", first)
	}
	if err := run(t, store, "", inAShort); err != nil {
		t.Fatal(err)
	}
	res := checkLake(t, store)
	if len(res.Problems) > 0 || res.Manifests != 2 || res.Files != 5 || res.Rows != 400+1000 {
		t.Fatalf("after the rerun of A: %+v", res)
	}
	if got, want := listed(t, store, keyAB), inputFiles(first, inB.input); !slices.Equal(got, want) {
		t.Errorf("A+B's manifest lists %v, want B's files %v", got, want)
	}
	if got := listed(t, store, keyA); len(got) != 2 || len(inputFiles(got, inA.input)) != 2 {
		t.Errorf("A's manifest lists %v, want A's 2 new files", got)
	}
	if err := run(t, store, "", inA, inB); err != nil {
		t.Fatal(err)
	}
	assertExact(t, store, "after A+B again")
	if got := listed(t, store, keyA); got != nil {
		t.Errorf("A's emptied manifest is still there, listing %v", got)
	}
	if got := listed(t, store, keyAB); !slices.Equal(got, first) {
		t.Errorf("A+B's manifest lists %v, want %v", got, first)
	}
}

// A rerun under the same run key whose inputs differ (an API window that
// moved) keeps listing the earlier run's files it did not replace.
func TestRerunUnderTheSameKeyKeepsEarlierFilesListed(t *testing.T) {
	store := newStore(t)
	if err := run(t, store, "window", inA); err != nil {
		t.Fatal(err)
	}
	if err := run(t, store, "window", inB); err != nil {
		t.Fatal(err)
	}
	assertExact(t, store, "after the second run")
	if got := listed(t, store, "window"); len(got) != 7 {
		t.Fatalf("the manifest lists %v, want A's 4 files and B's 3", got)
	}
	if err := run(t, store, "window", inAShort); err != nil {
		t.Fatal(err)
	}
	assertExact(t, store, "after A again, shorter")
	if got := listed(t, store, "window"); len(inputFiles(got, inA.input)) != 2 || len(inputFiles(got, inB.input)) != 3 {
		t.Fatalf("the manifest lists %v, want A's 2 new files and B's 3", got)
	}
}

// A commit interrupted at each of its steps leaves a lake whose manifests
// never name a missing file, that Check reports, and that the next run of
// the same inputs repairs.
func TestInterruptedCommitIsRepairedByTheNextRun(t *testing.T) {
	keyAB := pipeline.RunKey("test", []string{inA.input, inB.input})
	dataFiles := 0
	for _, tc := range []struct {
		name  string
		fault faultStore
		want  string
	}{
		// the second data file: the first replaced A's null-date file
		{"data", faultStore{failCommit: func(k string) bool {
			if strings.Contains(k, "/part-") {
				dataFiles++
			}
			return dataFiles == 2
		}}, "rows in the file, the manifest says"},
		{"own manifest", faultStore{failCommit: func(k string) bool { return strings.HasPrefix(k, "_manifests/") && !strings.Contains(k, keyAB) }}, "rows in the file, the manifest says"},
		{"earlier manifest", faultStore{failCommit: func(k string) bool { return strings.Contains(k, keyAB) }}, "listed in 2 manifests"},
		{"delete", faultStore{failDelete: true}, "not listed in any manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			if err := run(t, store, "", inA, inB); err != nil {
				t.Fatal(err)
			}
			fs := tc.fault
			fs.Store = store
			if err := run(t, &fs, "", inAShort); err == nil {
				t.Fatal("want the interrupted commit's error")
			}
			res := checkLake(t, store)
			found := tc.want == ""
			for _, p := range res.Problems {
				if strings.Contains(p.Problem, "listed but not there") {
					t.Errorf("a manifest names a missing file: %+v", p)
				}
				found = found || strings.Contains(p.Problem, tc.want)
			}
			if !found {
				t.Errorf("no problem says %q: %+v", tc.want, res.Problems)
			}
			if err := run(t, store, "", inAShort); err != nil {
				t.Fatal(err)
			}
			assertExact(t, store, "after the next run")
			if n := len(ids(t, store.URL())); n != 400+1000 {
				t.Errorf("%d rows visible after the next run, want 1400", n)
			}
		})
	}
}

// A rerun under the same key with fewer rejects keeps the earlier rejects
// segments listed until its Close deletes them, and every checkpoint and
// the close leave an exact lake.
func TestRerunCheckpointsKeepEarlierRejectsListed(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	rerun := func(rejectAt map[int]bool) []string {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		opts := DefaultOptions()
		opts.Allocator = mem
		sink, _ := NewSink(store, []pipeline.Table{testTable}, "seg", opts)
		var res pipeline.CommitResult
		for w := 1; w <= 3; w++ {
			in := fmt.Sprintf("api:w%d", w)
			rec := batch(mem, w*1000, w*1000+10, 5)
			if err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: in}); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			if rejectAt[w] {
				sink.Reject(ctx, "events", []pipeline.Reject{{RowError: pipeline.RowError{Source: in, Record: 0, Err: errors.New("bad")}, Raw: "{}"}})
			}
			info := pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: in}}}
			var err error
			if w < 3 {
				res, err = sink.Checkpoint(ctx, info)
			} else {
				res, err = sink.Close(ctx, info)
			}
			if err != nil {
				t.Fatal(err)
			}
			assertExact(t, store, fmt.Sprintf("after window %d", w))
		}
		return res.Tables["events"].Rejects
	}
	if got := rerun(map[int]bool{1: true, 2: true, 3: true}); len(got) != 3 {
		t.Fatalf("first run's rejects %v", got)
	}
	if got := rerun(map[int]bool{2: true}); len(got) != 1 {
		t.Fatalf("rerun's rejects %v", got)
	}
	objs, err := store.List(ctx, "_rejects/")
	if err != nil || len(objs) != 1 {
		t.Fatalf("rejects files after the rerun: %v %v", objs, err)
	}
	w, _ := store.Create(ctx, "_rejects/events/0123456789abcdef.jsonl")
	w.Write([]byte("{}\n"))
	w.Close()
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	res := checkLake(t, store)
	if len(res.Problems) != 1 || res.Problems[0].Problem != "rejects file not listed in any manifest" {
		t.Fatalf("an unlisted rejects file: %+v", res.Problems)
	}
}

// A rerun under a key whose manifest is damaged stops before it commits
// anything: it cannot tell which of the earlier run's files to keep listed.
func TestDamagedManifestOfTheKeyStopsTheRerun(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	if err := run(t, store, "window", inA); err != nil {
		t.Fatal(err)
	}
	w, _ := store.Create(ctx, "_manifests/events/window.json")
	w.Write([]byte(`{"files": [`))
	w.Close()
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := store.List(ctx, "events/")
	err := run(t, store, "window", inAShort)
	if err == nil || !strings.Contains(err.Error(), "_manifests/events/window.json is damaged") {
		t.Fatalf("rerun: %v", err)
	}
	after, _ := store.List(ctx, "events/")
	if !slices.EqualFunc(before, after, func(a, b ObjectInfo) bool { return a.Key == b.Key && a.Size == b.Size }) {
		t.Fatalf("the failed rerun changed the data files: %v, then %v", before, after)
	}
}
