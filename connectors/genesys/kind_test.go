package genesys

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

var users = []string{"user-a", "user-b", "user-c"}

// seed stores 10 days of 3 appointments (3 status changes, 2 annotations
// each) from day0.
func seed(e *genesystest.Emulator) []string {
	return e.Seed(genesystest.Seed{Users: users, From: day0, Days: 10, PerDay: 3, Statuses: 3, Annotations: 2})
}

func TestPullEveryPageOnce(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	// Small pages and two user chunks so that paging and chunking both
	// matter: 21 appointments in the first cell are 6 pages of 4.
	o := mustRun(t, options(e, users, "page_size", "4", "users_per_request", "2"))

	appts := keyed(t, o.out, AppointmentTableName, "id")
	if len(appts) != len(ids) {
		t.Fatalf("%d appointments written, want %d", len(appts), len(ids))
	}
	for _, id := range ids {
		if appts[id] == nil {
			t.Fatalf("appointment %s missing", id)
		}
	}
	if n := len(keyed(t, o.out, AttendeeTableName, "appointment_id", "user_id")); n != len(ids) {
		t.Fatalf("%d attendee rows, want %d", n, len(ids))
	}
	if n := len(keyed(t, o.out, StatusTableName, "appointment_id", "date_created", "status")); n != 3*len(ids) {
		t.Fatalf("%d status rows, want %d", n, 3*len(ids))
	}
	if n := len(keyed(t, o.out, AnnotationTableName, "id", "appointment_id")); n != 2*len(ids) {
		t.Fatalf("%d annotations, want %d", n, 2*len(ids))
	}
	if tot := o.res.Totals(); tot.RowsRejected != 0 || tot.RowsMerged != 0 {
		t.Fatalf("totals %+v", tot)
	}
	if o.cursors[CursorName] != day0.AddDate(0, 0, 14).Format(time.DateOnly) {
		t.Fatalf("cursor %v", o.cursors)
	}
	// Partitioned by the record's own date, by month (Grain).
	if files := lakecheck.Files(t, o.out, AppointmentTableName); len(files) == 0 ||
		!strings.Contains(filepath.ToSlash(files[0]), "/month=2024-01/") {
		t.Fatalf("appointment files %v", files)
	}
	if len(o.res.Inputs) != 2 || !strings.Contains(o.res.Inputs[0].Name, "interval=2024-01-04T00:00:00Z/2024-01-11T00:00:00Z") {
		t.Fatalf("inputs %+v", o.res.Inputs)
	}
}

func TestAppointmentColumns(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	start := day0.Add(26*time.Hour + 30*time.Minute)
	if err := e.Add(genesystest.Appointment("A1", start, "fac", "user-a", "user-b"),
		[]json.RawMessage{genesystest.Status("A1", "Scheduled", start.Add(-time.Hour), "fac")},
		[]json.RawMessage{genesystest.Annotation("N1", start, "fac", "Listen more")}); err != nil {
		t.Fatal(err)
	}
	o := mustRun(t, options(e, []string{"user-a"}))

	a := keyed(t, o.out, AppointmentTableName, "id")["A1"]
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	want := map[string]any{
		"id": "A1", "name": "Coaching A1", "description": "Weekly review", "date_start": ms(start),
		"length_in_minutes": int64(30), "status": "Completed", "facilitator_id": "fac", "created_by_id": "fac",
		"date_created": ms(start.Add(-72 * time.Hour)), "modified_by_id": "fac", "date_modified": ms(start.Add(time.Hour)),
		"date_completed": ms(start.Add(30 * time.Minute)), "is_overdue": false, "location": "Room 1",
		"share_insights_data": true, "conversations_json": `[{"id":"conv-A1","selfUri":"/api/v2/conversations/conv-A1"}]`,
		"documents_json": "[]", "external_links_json": `["https://example.com/doc/A1"]`,
		"wfm_schedule_json": `{"id":"sched-1","selfUri":"/api/v2/workforcemanagement/schedules/sched-1"}`,
		"self_uri":          "/api/v2/coaching/appointments/A1",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %#v, want %#v", k, a[k], v)
		}
	}
	if fmt.Sprint(a["attendee_ids"]) != "[user-a user-b]" || fmt.Sprint(a["conversation_ids"]) != "[conv-A1]" {
		t.Errorf("attendee_ids %#v, conversation_ids %#v", a["attendee_ids"], a["conversation_ids"])
	}
	if len(a) != len(want)+2 {
		t.Errorf("%d columns, want %d", len(a), len(want)+2)
	}
	at := keyed(t, o.out, AttendeeTableName, "appointment_id", "user_id")
	if at["A1|user-a"] == nil || at["A1|user-b"] == nil || len(at) != 2 {
		t.Fatalf("attendees %v", at)
	}
	st := lakecheck.Table(t, o.out, StatusTableName)
	if len(st) != 1 || st[0]["status"] != "Scheduled" || st[0]["date_created"] != ms(start.Add(-time.Hour)) ||
		st[0]["appointment_id"] != "A1" || st[0]["created_by_id"] != "fac" {
		t.Fatalf("status rows %v", st)
	}
	an := lakecheck.Table(t, o.out, AnnotationTableName)
	if len(an) != 1 || an[0]["text"] != "Listen more" || an[0]["access_type"] != "Public" || an[0]["is_deleted"] != false ||
		an[0]["appointment_id"] != "A1" || an[0]["date_modified"] != ms(start.Add(time.Minute)) {
		t.Fatalf("annotation rows %v", an)
	}
}

func TestSharedAppointmentWrittenOnce(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	// user-a and user-b land in different chunks; both attend A1.
	e.Add(genesystest.Appointment("A1", day0.Add(10*time.Hour), "fac", "user-a", "user-b"),
		[]json.RawMessage{genesystest.Status("A1", "Scheduled", day0, "fac")}, nil)
	o := mustRun(t, options(e, []string{"user-a", "user-b"}, "users_per_request", "1"))
	if n := len(keyed(t, o.out, AppointmentTableName, "id")); n != 1 {
		t.Fatalf("%d appointment rows", n)
	}
	if n := len(keyed(t, o.out, AttendeeTableName, "appointment_id", "user_id")); n != 2 {
		t.Fatalf("%d attendee rows", n)
	}
	if n := len(keyed(t, o.out, StatusTableName, "appointment_id", "date_created", "status")); n != 1 {
		t.Fatalf("%d status rows", n)
	}
	if m := o.res.Tables[AppointmentTableName].RowsMerged; m != 1 {
		t.Fatalf("appointment merged %d, want 1", m)
	}
	if m := o.res.Tables[AttendeeTableName].RowsMerged; m != 2 {
		t.Fatalf("attendees merged %d, want 2", m)
	}
	// The children of a merged copy are not fetched again.
	if c := e.Counts(); c.Statuses != 1 || c.Annotations != 1 {
		t.Fatalf("children fetched %+v", c)
	}
}

func TestRerunReplacesWindow(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	opts := options(e, users)
	now := day0.AddDate(0, 1, 0)
	first := run(t, opts, now, nil, "")
	if first.err != nil {
		t.Fatal(first.err)
	}
	// Between the runs one appointment is deleted and one moves to
	// another day (and partition).
	e.Delete(ids[0])
	moved := genesystest.Appointment(ids[1], day0.AddDate(0, 0, 9).Add(15*time.Hour), "facilitator-1", users[1])
	e.Add(moved, nil, nil)
	second := run(t, opts, now, nil, first.out)
	if second.err != nil {
		t.Fatal(second.err)
	}
	appts := keyed(t, first.out, AppointmentTableName, "id")
	if len(appts) != len(ids)-1 || appts[ids[0]] != nil {
		t.Fatalf("%d appointments after the rerun (deleted one present: %v)", len(appts), appts[ids[0]] != nil)
	}
	if got := appts[ids[1]]["date_start"]; got != day0.AddDate(0, 0, 9).Add(15*time.Hour).UnixMilli() {
		t.Fatalf("moved appointment date_start %v", got)
	}
	if n := len(keyed(t, first.out, StatusTableName, "appointment_id", "date_created", "status")); n != 3*(len(ids)-2) {
		t.Fatalf("%d status rows after the rerun, want %d", n, 3*(len(ids)-2))
	}
}

func TestResumeFromCursor(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e)
	// First run: a backfill of the first week.
	first := run(t, options(e, users, "end", day0.AddDate(0, 0, 7).Format(time.DateOnly)), day0.AddDate(0, 0, 7), nil, "")
	if first.err != nil {
		t.Fatal(first.err)
	}
	if first.cursors[CursorName] != "2024-01-11" {
		t.Fatalf("first cursor %v", first.cursors)
	}
	// Scheduled run a week later, no start: from the cursor less
	// repull_days (widened to the grid) to the day after now.
	now := day0.AddDate(0, 0, 12).Add(13 * time.Hour)
	second := run(t, options(e, users, "start", "", "end", "", "repull_days", "3"), now, first.cursors, first.out)
	if second.err != nil {
		t.Fatal(second.err)
	}
	r := report(t, second)
	if r["requested"] != "2024-01-08/2024-01-17" || r["pulled"] != "2024-01-04T00:00:00Z/2024-01-18T00:00:00Z" {
		t.Fatalf("resumed run pulled %v (requested %v)", r["pulled"], r["requested"])
	}
	if second.cursors[CursorName] != "2024-01-17" {
		t.Fatalf("second cursor %v", second.cursors)
	}
	// The first week was pulled by both runs and is in the lake once.
	if n := len(keyed(t, first.out, AppointmentTableName, "id")); n != 30 {
		t.Fatalf("%d appointments in the lake, want 30", n)
	}
	// Without start or cursor the run refuses to guess.
	if o := run(t, options(e, users, "start", ""), now, nil, ""); o.err == nil || !strings.Contains(o.err.Error(), "give start") {
		t.Fatalf("first run without start: %v", o.err)
	}
}

func TestUsersKeyNamesFiles(t *testing.T) {
	if usersKey([]string{"a", "b"}) == usersKey([]string{"a"}) || len(usersKey([]string{"a"})) != 12 {
		t.Fatal("user sets share a key")
	}
	if got := chunk([]string{"a", "b", "c"}, 2); fmt.Sprint(got) != "[[a b] [c]]" {
		t.Fatalf("chunk %v", got)
	}
}

func TestPagingWithoutPageCount(t *testing.T) {
	// A server that sends no pageCount: the kind reads until a short or
	// empty page. 21 and 9 appointments in pages of 3 end on full pages,
	// so each cell costs one empty page more.
	e := genesystest.New(t, genesystest.Config{OmitPageCount: true})
	ids := seed(e)
	o := mustRun(t, options(e, users, "page_size", "3"))
	if n := len(keyed(t, o.out, AppointmentTableName, "id")); n != len(ids) {
		t.Fatalf("%d appointments, want %d", n, len(ids))
	}
	if c := e.Counts(); c.Lists != 7+1+3+1 {
		t.Fatalf("%d list pages, want 12", c.Lists)
	}
}

// Cells that find nothing on a rerun lose the files an earlier run wrote
// for them: the source names every cell pulled as an input.
func TestRerunOfEmptiedCellsRemovesTheirFiles(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	opts := options(e, users)
	now := day0.AddDate(0, 1, 0)
	first := run(t, opts, now, nil, "")
	if first.err != nil {
		t.Fatal(first.err)
	}
	for _, id := range ids {
		e.Delete(id)
	}
	second := run(t, opts, now, nil, first.out)
	if second.err != nil {
		t.Fatal(second.err)
	}
	if len(second.res.Inputs) != len(first.res.Inputs) || len(first.res.Inputs) < 2 {
		t.Fatalf("inputs %d then %d, want every cell both times", len(first.res.Inputs), len(second.res.Inputs))
	}
	for _, tb := range []string{AppointmentTableName, StatusTableName} {
		if n := len(lakecheck.Table(t, first.out, tb)); n != 0 {
			t.Errorf("%s: %d rows after a rerun that found none", tb, n)
		}
	}
}
