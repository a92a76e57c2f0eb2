package maestroqa

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var dupFiles = []string{filepath.Join("testdata", "dup_window1.json"), filepath.Join("testdata", "dup_window2.json")}

func byID(rows []map[string]any, key string) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, r := range rows {
		m[r[key].(string)] = r
	}
	return m
}

// TestDuplicatesAcrossFiles runs two overlapping export windows: each
// session, point and to-do is written once, from the latest copy by
// default and from the first copy with duplicates=first.
func TestDuplicatesAcrossFiles(t *testing.T) {
	for _, c := range []struct {
		opts                    map[string]string
		s1Notes, p1Score        string
		s1Activity, p1Links     int
		activityMerged, linksIn int64
	}{
		{nil, "v2", "4", 2, 2, 1, 6},
		{map[string]string{"duplicates": "latest"}, "v2", "4", 2, 2, 1, 6},
		{map[string]string{"duplicates": "first"}, "v1", "3", 1, 1, 2, 6},
	} {
		res, out := lakecheck.MustRun(t, Kind(), c.opts, dupFiles...)
		checkBalanced(t, res)
		sessions := byID(lakecheck.Table(t, out, SessionTableName), "id")
		points := byID(lakecheck.Table(t, out, PointTableName), "id")
		todos := lakecheck.Table(t, out, TodoTableName)
		if len(sessions) != 2 || sessions["S1"]["coach_notes"] != c.s1Notes || sessions["S2"] == nil {
			t.Errorf("%v: sessions %v", c.opts, sessions)
		}
		if len(points) != 2 || points["P1"]["score"] != c.p1Score || points["P2"]["score"] != "1" {
			t.Errorf("%v: points %v", c.opts, points)
		}
		if len(todos) != 1 {
			t.Errorf("%v: todos %v", c.opts, todos)
		}
		if n := len(lakecheck.Table(t, out, ActivityLogTableName)); n != c.s1Activity {
			t.Errorf("%v: %d activity rows, want %d (the written session's log)", c.opts, n, c.s1Activity)
		}
		var p1Links int
		for _, l := range lakecheck.Table(t, out, PointFormTableName) {
			if l["coaching_point_id"] == "P1" {
				p1Links++
			}
		}
		if p1Links != c.p1Links {
			t.Errorf("%v: P1 has %d links, want %d (those of the written copy)", c.opts, p1Links, c.p1Links)
		}
		if s := res.Tables[PointTableName]; s != (pipeline.TableStats{RowsIn: 5, RowsOut: 2, RowsRejected: 1, RowsMerged: 2}) {
			t.Errorf("%v: points %+v", c.opts, s)
		}
		if s := res.Tables[ActivityLogTableName]; s.RowsMerged != c.activityMerged || s.RowsIn != 3 {
			t.Errorf("%v: activity %+v", c.opts, s)
		}
		if s := res.Tables[PointFormTableName]; s.RowsIn != c.linksIn || s.RowsRejected != 1 {
			t.Errorf("%v: point links %+v", c.opts, s)
		}
		if s := res.Tables[SessionTableName]; s != (pipeline.TableStats{RowsIn: 3, RowsOut: 2, RowsMerged: 1}) {
			t.Errorf("%v: sessions %+v", c.opts, s)
		}
	}
}

// TestDuplicateReport checks the counts the run report gets, decoding the
// two windows as the API connector would: with and without Prescan.
func TestDuplicateReport(t *testing.T) {
	bodies := [][]byte{readTestdata(t, "dup_window1.json"), readTestdata(t, "dup_window2.json")}
	for _, prescan := range []bool{true, false} {
		d, done := newTestDecoder(t)
		if prescan {
			for i, b := range bodies {
				if err := d.Prescan(context.Background(), bytes.NewReader(b), dupFiles[i]); err != nil {
					t.Fatal(err)
				}
			}
		}
		col := newCollector()
		for i, b := range bodies {
			if err := d.Decode(bytes.NewReader(b), dupFiles[i], col.emit); err != nil {
				t.Fatal(err)
			}
		}
		col.balanced(t)
		rep := d.Report()["maestroqa_duplicates"].(map[string]any)
		done()
		want := map[string]map[string]int64{
			// P1: 3 copies (12-05, 12-10, 12-08), all different. P2's
			// newer copy is invalid (rejected), so it is no duplicate.
			PointTableName: {"ids": 2, "duplicates_merged": 2, "differing_duplicates": 2, "newer_duplicates_not_written": 0},
			// S1: 2 copies, different.
			SessionTableName: {"ids": 2, "duplicates_merged": 1, "differing_duplicates": 1, "newer_duplicates_not_written": 0},
			// T1: 2 identical copies.
			TodoTableName: {"ids": 1, "duplicates_merged": 1, "differing_duplicates": 0, "newer_duplicates_not_written": 0},
		}
		kept := "latest updatedAt (prescanned)"
		if !prescan {
			kept = "first valid copy (one pass)"
			want[PointTableName]["newer_duplicates_not_written"] = 2
			want[SessionTableName]["newer_duplicates_not_written"] = 1
		}
		if rep["kept"] != kept {
			t.Errorf("prescan %v: kept %v", prescan, rep["kept"])
		}
		for table, w := range want {
			got := rep[table].(map[string]int64)
			for k, v := range w {
				if got[k] != v {
					t.Errorf("prescan %v: %s %s = %d, want %d", prescan, table, k, got[k], v)
				}
			}
		}
	}
}

// TestPrescanAfterWrite: a Prescan that comes after a body was decoded
// cannot make an already written copy be written again.
func TestPrescanAfterWrite(t *testing.T) {
	d, done := newTestDecoder(t)
	defer done()
	col := newCollector()
	w1, w2 := readTestdata(t, "dup_window1.json"), readTestdata(t, "dup_window2.json")
	if err := d.Decode(bytes.NewReader(w1), "w1", col.emit); err != nil {
		t.Fatal(err)
	}
	if err := d.Prescan(context.Background(), bytes.NewReader(w2), "w2"); err != nil {
		t.Fatal(err)
	}
	if err := d.Decode(bytes.NewReader(w2), "w2", col.emit); err != nil {
		t.Fatal(err)
	}
	col.balanced(t)
	if col.rows[SessionTableName] != 2 || col.rows[PointTableName] != 2 || col.rows[TodoTableName] != 1 {
		t.Errorf("rows %v: a record was written twice or lost", col.rows)
	}
}
