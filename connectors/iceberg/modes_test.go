package iceberg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

func TestAppendKeepsEveryRun(t *testing.T) {
	dir := t.TempDir()
	opts := map[string]string{"mode": "append"}
	runOnce(t, "iceberg://"+dir, opts, "run-1", rows{"a.csv", 0, 100, base})
	runOnce(t, "iceberg://"+dir, opts, "run-2", rows{"a.csv", 0, 100, base})
	m, snap := current(t, dir)
	rs := readRows(t, localFetch, snap, "id")
	if len(rs) != 200 {
		t.Fatalf("append twice: %d rows, want 200", len(rs))
	}
	if h := m.history(); len(h) != 2 || h[1].Summary["operation"] != "append" {
		t.Errorf("history: %+v", h)
	}
}

func TestMergeKeepsNewestVersionOfEachKey(t *testing.T) {
	dir := t.TempDir()
	opts := map[string]string{"mode": "contacts=merge", "key": "contacts=id"}
	t1, t2 := base.Add(time.Hour), base.Add(48*time.Hour)
	runOnce(t, "iceberg://"+dir, opts, "run-1", rows{"window-1", 0, 100, t1})
	// a later window pulls ids 50..149 again, updated
	runOnce(t, "iceberg://"+dir, opts, "run-2", rows{"window-2", 50, 150, t2})
	m, snap := current(t, dir)
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	got := ids(t, rs)
	if len(got) != 150 {
		t.Fatalf("after merge: %d rows, want 150", len(got))
	}
	for _, r := range rs {
		want := t1
		if r["id"] >= "c00050" {
			want = t2
		}
		if r["updated_at"] != want.Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("row %s: updated_at %s, want %s", r["id"], r["updated_at"], want)
		}
	}
	// one snapshot per commit: the rewrite of the touched files and the
	// new rows land together
	h := m.history()
	if len(h) != 2 || h[1].Summary["ccetl.run-id"] != "run-2" || h[1].Summary["operation"] != "overwrite" {
		t.Fatalf("history: %+v", h)
	}
	// only files holding a key written again were rewritten: day partitions
	// hold ids of every range, so all three files of run 1 were touched;
	// 50 of their rows were carried over
	if h[1].Summary["deleted-records"] != "100" || h[1].Summary["added-records"] != "150" {
		t.Errorf("run 2 summary: %v", h[1].Summary)
	}
	// merging the same window again changes nothing but the snapshot
	runOnce(t, "iceberg://"+dir, opts, "run-3", rows{"window-2", 50, 150, t2})
	_, snap = current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 150 {
		t.Fatalf("after merging again: %d rows, want 150", len(got))
	}
}

func TestMergeNeedsAKey(t *testing.T) {
	_, err := openErr(t.TempDir(), map[string]string{"mode": "merge"})
	if err == nil || !strings.Contains(err.Error(), "merge needs the table's key") {
		t.Fatalf("merge without key: %v", err)
	}
}

func openErr(dir string, opts map[string]string) (pipeline.Sink, error) {
	return icebergOpen(dir, opts, contacts)
}

func TestRejectsCommitWithTheData(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, "iceberg://"+dir, nil, "rk")
	inputs := write(t, s, mem, rows{"a.csv", 0, 10, base})
	rej := pipeline.Reject{RowError: pipeline.RowError{Source: "a.csv", Line: 7, Record: -1, Column: "day", Err: errors.New("bad date")}, Raw: "c7,x"}
	if err := s.Reject(context.Background(), "contacts", []pipeline.Reject{rej}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "r1", Kind: "test", Inputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	m, snap := current(t, dir)
	loc := snap.Summary["ccetl.rejects"]
	if loc == "" || snap.Summary["ccetl.rejected-rows"] != "1" || m.Properties["ccetl.rejects.rk"] != loc {
		t.Fatalf("rejects not referenced: summary %v properties %v", snap.Summary, m.Properties)
	}
	if rj := res.Tables["contacts"].Rejects; len(rj) != 1 || rj[0] != loc {
		t.Errorf("commit result rejects %v, want [%s]", rj, loc)
	}
	raw, err := os.ReadFile(strings.TrimPrefix(loc, "file://"))
	if err != nil {
		t.Fatal(err)
	}
	var j pipeline.RejectJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	if j.Table != "contacts" || j.Line != 7 || j.Column != "day" || j.Reason != "bad date" || j.Raw != "c7,x" {
		t.Errorf("reject line: %+v", j)
	}
}

func TestCheckpointsCommitPartWay(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, "iceberg://"+dir, nil, "rk")
	ctx := context.Background()
	in1 := write(t, s, mem, rows{"window-1", 0, 60, base})
	res, err := s.Checkpoint(ctx, pipeline.RunInfo{RunID: "r1", Kind: "test", Inputs: in1})
	if err != nil || res.Tables["contacts"].Rows != 60 {
		t.Fatalf("checkpoint: %v %+v", err, res)
	}
	_, snap := current(t, dir)
	if n := len(readRows(t, localFetch, snap, "id")); n != 60 || snap.Summary["ccetl.final"] != "false" {
		t.Fatalf("after checkpoint: %d rows visible, summary %v", n, snap.Summary)
	}
	in2 := write(t, s, mem, rows{"window-2", 60, 100, base})
	res, err = s.Close(ctx, pipeline.RunInfo{RunID: "r1", Kind: "test", Inputs: append(in1, in2...)})
	if err != nil || res.Tables["contacts"].Rows != 100 {
		t.Fatalf("close: %v %+v", err, res)
	}
	m, snap := current(t, dir)
	// window-1 was committed by this run's checkpoint: Close keeps it
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 100 {
		t.Fatalf("after close: %d rows, want 100", len(got))
	}
	if h := m.history(); len(h) != 2 || h[1].Summary["ccetl.final"] != "true" {
		t.Errorf("history: %+v", h)
	}
}

// TestMergeKeepsNewestByOrderColumn merges by id with updated_at as the
// order column: within one run the newest row of an id wins, and a later
// run's stale copy (an older updated_at) does not replace a newer stored
// row.
func TestMergeKeepsNewestByOrderColumn(t *testing.T) {
	dir := t.TempDir()
	opts := map[string]string{"mode": "merge", "key": "contacts=id", "order": "contacts=updated_at"}
	t1, t2, t3 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour)
	// one run, two inputs sharing ids 40..59: the newer input comes first
	res := runOnce(t, "iceberg://"+dir, opts, "run-1", rows{"new.csv", 40, 60, t2}, rows{"old.csv", 0, 60, t1})
	if res.Tables["contacts"].Rows != 80 {
		t.Errorf("run 1 committed %d rows, want the 80 written", res.Tables["contacts"].Rows)
	}
	want := map[string]time.Time{}
	for i := range 60 {
		want[fmt.Sprintf("c%05d", i)] = map[bool]time.Time{true: t2, false: t1}[i >= 40]
	}
	check := func(step string) {
		t.Helper()
		_, snap := current(t, dir)
		rs := readRows(t, localFetch, snap, "id", "updated_at")
		if got := ids(t, rs); len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", step, len(got), len(want))
		}
		for _, r := range rs {
			if w := want[r["id"]].Format("2006-01-02T15:04:05.000Z"); r["updated_at"] != w {
				t.Fatalf("%s: %s updated_at %s, want %s", step, r["id"], r["updated_at"], w)
			}
		}
	}
	check("run 1")
	// a later run: ids 30..49 stale (t1 again, older than the stored t2 of
	// 40..49, equal to the stored t1 of 30..39), 50..69 newer (t3)
	runOnce(t, "iceberg://"+dir, opts, "run-2", rows{"stale.csv", 30, 50, t1}, rows{"fresh.csv", 50, 70, t3})
	for i := 50; i < 70; i++ {
		want[fmt.Sprintf("c%05d", i)] = t3
	}
	check("run 2")
}

// TestMergeRepeatedKeyInOneRun keeps one row of a key written twice in one
// commit without an order column.
func TestMergeRepeatedKeyInOneRun(t *testing.T) {
	dir := t.TempDir()
	opts := map[string]string{"mode": "merge", "key": "contacts=id"}
	runOnce(t, "iceberg://"+dir, opts, "run-1", rows{"a.csv", 0, 50, base}, rows{"b.csv", 25, 75, base.Add(time.Hour)})
	_, snap := current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 75 {
		t.Fatalf("%d rows, want 75", len(got))
	}
	// no file of the superseded rows is left behind
	if n := len(liveFiles(t, localFetch, snap)); n != len(dataFiles(t, dir)) {
		t.Errorf("%d live data files, %d on disk", n, len(dataFiles(t, dir)))
	}
}
