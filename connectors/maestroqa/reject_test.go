package maestroqa

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

type wantReject struct {
	record int64
	column string
	reason string
}

const dateReason = `not a valid Date: want an ISO-8601 string, epoch milliseconds or {"$date": ...}`

// TestRejectsReconcile runs a file of deliberately bad records: every row
// is written, rejected with its record index, field and reason, or merged.
func TestRejectsReconcile(t *testing.T) {
	res, out := lakecheck.MustRun(t, Kind(), nil, filepath.Join("testdata", "bad.json"))
	checkBalanced(t, res)
	wantStats := map[string]pipeline.TableStats{
		SessionTableName:     {RowsIn: 7, RowsOut: 2, RowsRejected: 5},
		ActivityLogTableName: {RowsIn: 8, RowsOut: 1, RowsRejected: 7},
		PointTableName:       {RowsIn: 5, RowsOut: 2, RowsRejected: 3},
		PointFormTableName:   {RowsIn: 6, RowsOut: 1, RowsRejected: 4, RowsMerged: 1},
		TodoTableName:        {RowsIn: 3, RowsOut: 1, RowsRejected: 2},
		TodoFormTableName:    {RowsIn: 3, RowsOut: 1, RowsRejected: 2},
	}
	for name, w := range wantStats {
		if res.Tables[name] != w {
			t.Errorf("%s: %+v, want %+v", name, res.Tables[name], w)
		}
	}
	want := map[string][]wantReject{
		SessionTableName: {
			{1, "_id", "required value is missing"},
			{2, "", "record is a number, not a coaching session object"},
			{3, "createdAt", dateReason},
			{4, "coachingPoints", "want an array of objects, got a string"},
			{5, "agentName", "want a string, got a number"},
		},
		ActivityLogTableName: {
			{0, "timestamp", "activityLog[1]: " + dateReason},
			{1, "", "activityLog[0]: its coaching session record was rejected (see mqa_coaching_session)"},
			{1, "", "activityLog[1]: its coaching session record was rejected (see mqa_coaching_session)"},
			{3, "", "activityLog[0]: its coaching session record was rejected (see mqa_coaching_session)"},
			{5, "", "activityLog[0]: its coaching session record was rejected (see mqa_coaching_session)"},
			{6, "", "activityLog[0]: not a JSON object (got a string)"},
			{6, "descriptions", "activityLog[1]: want an array of strings, got a string"},
		},
		PointTableName: {
			{0, "_id", "coachingPoints[0]: required value is missing"},
			{0, "isDeleted", "coachingPoints[1]: want a boolean, got a string"},
			{0, "", "coachingPoints[2]: not a JSON object (got a string)"},
		},
		PointFormTableName: {
			{0, "", "coachingPoints[0].coachingFormIds[0]: its coaching point was rejected (see mqa_coaching_point)"},
			{0, "", "coachingPoints[1].coachingFormIds[0]: its coaching point was rejected (see mqa_coaching_point)"},
			{0, "", "coachingPoints[1].coachingFormIds[1]: its coaching point was rejected (see mqa_coaching_point)"},
			{0, "", "coachingPoints[3].coachingFormIds[2]: empty coaching form id"},
		},
		TodoTableName: {
			{0, "completedAt", "todos[0]: " + dateReason},
			{0, "coachingFormIds", "todos[1]: element 0: want a string, got a number"},
		},
		TodoFormTableName: {
			{0, "", "todos[0].coachingFormIds[0]: its to-do was rejected (see mqa_todo)"},
			{0, "", "todos[1].coachingFormIds[0]: its to-do was rejected (see mqa_todo)"},
		},
	}
	for table, ws := range want {
		got := lakecheck.Rejects(t, out, table)
		if len(got) != len(ws) {
			t.Errorf("%s: %d rejects, want %d: %+v", table, len(got), len(ws), got)
			continue
		}
		for i, w := range ws {
			g := got[i]
			if g.Record == nil || *g.Record != w.record || g.Line != 0 || g.Column != w.column || g.Reason != w.reason {
				t.Errorf("%s reject %d: record %s line %d column %q reason %q\nwant record %d column %q reason %q",
					table, i, recordOf(g), g.Line, g.Column, g.Reason, w.record, w.column, w.reason)
			}
			if filepath.Base(g.Source) != "bad.json" || g.Raw == "" {
				t.Errorf("%s reject %d: source %q raw %q", table, i, g.Source, g.Raw)
			}
		}
	}
	// The rows that were written.
	points := lakecheck.Table(t, out, PointTableName)
	if len(points) != 2 || points[0]["id"] != "p-ok" || points[0]["score"] != "4.5" || points[0]["score_value"] != 4.5 ||
		points[1]["id"] != "p-orphan" || points[1]["created_at"] != int64(1638403200000) {
		t.Errorf("points %v", points)
	}
	todos := lakecheck.Table(t, out, TodoTableName)
	if len(todos) != 1 || todos[0]["created_at"] != int64(1638349500000) || todos[0]["completed_at"] != int64(1638349800000) || todos[0]["is_deleted"] != true {
		t.Errorf("todos %v", todos)
	}
	links := lakecheck.Table(t, out, PointFormTableName)
	if len(links) != 1 || links[0]["coaching_point_id"] != "p-ok" || links[0]["coaching_form_id"] != "s-ok" {
		t.Errorf("point links %v", links)
	}
}

// TestInvalidUTF8 rejects a field holding invalid UTF-8 with its position,
// and only the record holding it.
func TestInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	bad := strings.NewReplacer("<ff>", "\xff", "<c3>", "\xc3", "<e282>", "\xe2\x82")
	p := lakecheck.WriteFile(t, dir, "utf8.json", bad.Replace(`[
{"_id": "s1", "coachNotes": "ok <ff>", "coachingPoints": [{"_id": "p1", "subject": "caf<c3>"}, {"_id": "p2", "subject": "café"}]},
{"_id": "s2", "activityLog": [{"descriptions": ["fine", "bad<e282>"]}]}
]`))
	res, out := lakecheck.MustRun(t, Kind(), nil, p)
	checkBalanced(t, res)
	for _, c := range []struct {
		table, column, reason string
		record                int64
	}{
		{SessionTableName, "coachNotes", "invalid UTF-8 at byte offset 3 of the text", 0},
		{PointTableName, "subject", "coachingPoints[0]: invalid UTF-8 at byte offset 3 of the text", 0},
		{ActivityLogTableName, "descriptions", "activityLog[0]: element 1: invalid UTF-8 at byte offset 3 of the text", 1},
	} {
		rs := lakecheck.Rejects(t, out, c.table)
		if len(rs) != 1 || rs[0].Column != c.column || !strings.HasSuffix(rs[0].Reason, c.reason) || *rs[0].Record != c.record {
			t.Errorf("%s rejects %+v, want column %s reason %q record %d", c.table, rs, c.column, c.reason, c.record)
		}
	}
	if s := res.Tables[SessionTableName]; s.RowsOut != 1 || s.RowsRejected != 1 {
		t.Errorf("sessions %+v", s)
	}
	if pts := lakecheck.Table(t, out, PointTableName); len(pts) != 1 || pts[0]["subject"] != "café" {
		t.Errorf("points %v", pts)
	}
}

func recordOf(r pipeline.RejectJSON) string {
	if r.Record == nil {
		return "none"
	}
	return fmt.Sprint(*r.Record)
}
