package genesys

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

func raws(items ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, s := range items {
		out[i] = json.RawMessage(s)
	}
	return out
}

func TestRejectsCarryReasonAndRecord(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	at := day0.Add(9 * time.Hour)
	// A valid appointment with bad attendees, statuses and annotations.
	good := `{"id":"A1","dateStart":"2024-01-04T09:00:00.000Z","attendees":[{"id":"user-a"},{"selfUri":"/api/v2/users/x"},"user-z",{"id":"user-a"}]}`
	err := e.Add(json.RawMessage(good),
		raws(`{"status":"Scheduled"}`, `{"dateCreated":"yesterday","status":"Completed"}`,
			`{"dateCreated":"2024-01-03T10:00:00Z","status":"Scheduled"}`, `{"dateCreated":"2024-01-03T10:00:00Z","status":"Scheduled"}`),
		raws(`{"text":"private words"}`, `{"id":"N1","text":"fine"}`, `{"id":"N1","text":"fine"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Bad appointments, listed after A1.
	e.AddRaw(json.RawMessage(`{"id":"A2","dateStart":12345,"attendees":[{"id":"user-a"}]}`), at.Add(time.Minute), "user-a")
	e.AddRaw(json.RawMessage(`{"name":"secret name","attendees":[{"id":"user-a"},{"id":"user-b"}]}`), at.Add(2*time.Minute), "user-a")
	e.AddRaw(json.RawMessage(`"just a string"`), at.Add(3*time.Minute), "user-a")

	o := mustRun(t, options(e, []string{"user-a"}))

	type want struct {
		record int64
		column string
		reason string
	}
	check := func(table string, wants []want, written int) {
		t.Helper()
		rj := lakecheck.Rejects(t, o.out, table)
		if len(rj) != len(wants) {
			t.Fatalf("%s: %d rejects, want %d: %+v", table, len(rj), len(wants), rj)
		}
		for i, w := range wants {
			r := rj[i]
			if r.Record == nil || *r.Record != w.record || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
				t.Errorf("%s reject %d: record %v column %q reason %q; want %d %q %q", table, i, r.Record, r.Column, r.Reason, w.record, w.column, w.reason)
			}
			for _, secret := range []string{"private words", "secret name", "12345", "yesterday", "user-z"} {
				if strings.Contains(r.Reason, secret) {
					t.Errorf("%s reject %d: reason %q quotes a value", table, i, r.Reason)
				}
			}
			if !json.Valid([]byte(r.Raw)) {
				t.Errorf("%s reject %d: raw %q is not the record's JSON", table, i, r.Raw)
			}
		}
		if n := len(lakecheck.Table(t, o.out, table)); n != written {
			t.Errorf("%s: %d rows written, want %d", table, n, written)
		}
	}
	check(AppointmentTableName, []want{
		{1, "dateStart", "not a JSON string"},
		{2, "id", "required value is missing"},
		{3, "", "not a JSON object"},
	}, 1)
	check(AttendeeTableName, []want{
		{0, "attendees[1].id", "required value is missing"},
		{0, "attendees[2]", "not a JSON object"},
		{1, "attendees[0]", "its appointment was rejected"},
		{2, "attendees[0]", "its appointment was rejected"},
		{2, "attendees[1]", "its appointment was rejected"},
	}, 1)
	check(StatusTableName, []want{
		{0, "dateCreated", "required value is missing"},
		{1, "dateCreated", "not a valid timestamp"},
	}, 1)
	check(AnnotationTableName, []want{{0, "id", "required value is missing"}}, 1)

	rj := lakecheck.Rejects(t, o.out, AppointmentTableName)
	if !strings.HasPrefix(rj[0].Source, "GET /api/v2/coaching/appointments page 1 (interval 2024-01-04T00:00:00Z/2024-01-11T00:00:00Z") {
		t.Errorf("source %q", rj[0].Source)
	}
	if rj[1].Raw != `{"name":"secret name","attendees":[{"id":"user-a"},{"id":"user-b"}]}` {
		t.Errorf("raw %q is not the record as received", rj[1].Raw)
	}
	if src := lakecheck.Rejects(t, o.out, StatusTableName)[0].Source; src != "GET /api/v2/coaching/appointments/A1/statuses page 1" {
		t.Errorf("status reject source %q", src)
	}
	st := o.res.Tables
	if st[AttendeeTableName].RowsMerged != 1 || st[StatusTableName].RowsMerged != 1 || st[AnnotationTableName].RowsMerged != 1 {
		t.Errorf("merged %+v", st)
	}
	for name, s := range st {
		if !s.Balanced() {
			t.Errorf("%s does not reconcile: %+v", name, s)
		}
	}
}

func TestAppointmentsWithoutIDRejected(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	for i := range 3 {
		e.AddRaw(json.RawMessage(`{"dateStart":"2024-01-04T09:00:00Z"}`), day0.Add(time.Duration(i)*time.Hour), "user-a")
	}
	c, err := lakecheck.Drain(t, Kind(), options(e, []string{"user-a"}))
	if err != nil || c.Rejected != 3 || c.Written != 0 {
		t.Fatalf("counts %+v, %v", c, err)
	}
}
