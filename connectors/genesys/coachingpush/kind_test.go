package coachingpush

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

var day0 = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)

// org starts an emulator whose organization has four agents and a coach,
// one existing appointment (exist-1, Ann's weekly review, with one
// annotation) and another (exist-2, Ben's).
func org(t *testing.T, cfg genesystest.Config) *genesystest.Emulator {
	e := genesystest.New(t, cfg)
	e.AddUsers(
		genesystest.User{ID: "coach-1", Name: "Cora Coach", Email: "cora@example.com"},
		genesystest.User{ID: "agent-1", Name: "Ann Agent", Email: "ann@example.com"},
		genesystest.User{ID: "agent-2", Name: "Ben Agent", Email: "ben@example.com"},
		genesystest.User{ID: "agent-3", Name: "Cat Agent", Email: "cat@example.com"},
		genesystest.User{ID: "agent-4", Name: "Dan Agent", Email: "dan@example.com", State: "inactive"},
	)
	if err := e.Add(genesystest.Appointment("exist-1", day0.Add(9*time.Hour), "coach-1", "agent-1"), nil,
		[]json.RawMessage{genesystest.Annotation("note-1", day0.Add(10*time.Hour), "coach-1", "Good call handling")}); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(genesystest.Appointment("exist-2", day0.Add(24*time.Hour+9*time.Hour), "coach-1", "agent-2"), nil, nil); err != nil {
		t.Fatal(err)
	}
	return e
}

func emuOptions(e *genesystest.Emulator) map[string]string {
	return map[string]string{"login_url": e.LoginURL(), "api_url": e.APIURL(), "client_id": "client-id",
		"client_secret": "client-secret", "rate_limit": "10000/1s", "page_size": "2"}
}

func rec(entity, origin string, kv ...any) pipeline.Record {
	r := pipeline.Record{Entity: entity, Origin: origin, Values: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i].(string)] = kv[i+1]
	}
	return r
}

func appt(origin, name string, start time.Time, minutes int64, attendees ...string) pipeline.Record {
	return rec(Appointments, origin, "name", name, "description", "Weekly review", "date_start", start,
		"length_in_minutes", minutes, "attendee_ids", attendees, "facilitator_id", "coach-1")
}

// records: two new appointments, one (the existing exist-1 by name, start
// and attendees) with a new description, exist-2 by its id with a new
// length, one new appointment annotations name by its id; annotations of
// the new one, and of exist-1 (one it has, one new).
func records() []pipeline.Record {
	a1 := appt("appts.csv:2", "Onboarding", day0.Add(11*time.Hour), 45, "agent-1", "agent-3")
	a2 := appt("appts.csv:3", "Quality check", day0.Add(48*time.Hour+14*time.Hour), 30, "agent-3")
	a2.Values["conversation_ids"] = []string{"conv-9", "conv-8"}
	a3 := appt("appts.csv:4", "Coaching exist-1", day0.Add(9*time.Hour), 30, "agent-1")
	a3.Values["description"] = "Weekly review, rescheduled topics"
	a4 := appt("appts.csv:5", "Coaching exist-2", day0.Add(33*time.Hour), 60, "agent-2")
	a4.Values["id"] = "exist-2"
	a5 := appt("appts.csv:6", "Escalations", day0.Add(72*time.Hour), 20, "agent-2")
	a5.Values["id"] = "src-5"
	return []pipeline.Record{a1, a2, a3, a4, a5,
		rec(Annotations, "notes.csv:2", "appointment_id", "src-5", "text", "Review the escalation path", "access_type", "Public"),
		rec(Annotations, "notes.csv:3", "appointment_id", "src-5", "text", "Private note", "access_type", "private"),
		rec(Annotations, "notes.csv:4", "appointment_id", "exist-1", "text", "Good call handling", "access_type", "Public"),
		rec(Annotations, "notes.csv:5", "appointment_id", "exist-1", "text", "Follow up next week", "access_type", "Public"),
	}
}

func invalid() []pushtest.Invalid {
	noName := appt("appts.csv:10", "", day0.Add(9*time.Hour), 30, "agent-1")
	delete(noName.Values, "name")
	return []pushtest.Invalid{
		{Record: appt("appts.csv:7", "Ghost", day0.Add(9*time.Hour), 30, "agent-1", "agent-99"), Reason: "unknown attendee"},
		{Record: appt("appts.csv:8", "Inactive", day0.Add(9*time.Hour), 30, "agent-4"), Reason: "unknown attendee"},
		{Record: appt("appts.csv:9", "Zero", day0.Add(9*time.Hour), 0, "agent-1"), Reason: "must be positive"},
		{Record: noName, Reason: "field name: required"},
		{Record: appt("appts.csv:11", strings.Repeat("n", MaxName+1), day0, 30, "agent-1"), Reason: "over the maximum of 200"},
		{Record: rec(Annotations, "notes.csv:6", "appointment_id", "exist-1", "text", "x", "access_type", "Secret"), Reason: "not one of Public, Private"},
		{Record: rec(Annotations, "notes.csv:7", "appointment_id", "nowhere", "text", "x", "access_type", "Public"), Reason: `no appointment "nowhere"`},
	}
}

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := org(t, genesystest.Config{})
			return pushtest.Env{Options: emuOptions(e), Writes: func() int { return e.Counts().Writes() },
				State: func() any { return e.Appointments() }}
		},
		Records: records(),
		Invalid: invalid(),
	})
}

func open_(t *testing.T, e *genesystest.Emulator) pipeline.Target {
	t.Helper()
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Kind: KindName, Options: emuOptions(e)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

// TestPushReachesTheDocumentedState checks each change of the plan, the
// requests Apply sends and what the organization holds afterwards.
func TestPushReachesTheDocumentedState(t *testing.T) {
	e := org(t, genesystest.Config{})
	tg := open_(t, e)
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), records(), led)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create", "create", "update", "update", "create", "create", "create", "unchanged", "create"}
	for i, c := range p.Changes {
		if c.Action != want[i] {
			t.Errorf("change %d (%s %s): %s, want %s %s", i, c.Entity, c.Key, c.Action, want[i], c.Reason)
		}
	}
	if f := p.Changes[2].Fields; len(f) != 1 || f[0].Field != "description" || f[0].Old != "Weekly review" || p.Changes[2].TargetID != "exist-1" {
		t.Errorf("exist-1's update: %+v", p.Changes[2])
	}
	if f := p.Changes[3].Fields; len(f) != 1 || f[0] != (pipeline.FieldChange{Field: "lengthInMinutes", Old: "30", New: "60"}) {
		t.Errorf("exist-2's update: %+v", f)
	}
	if p.Changes[7].TargetID != "note-1" {
		t.Errorf("the annotation exist-1 has: %+v", p.Changes[7])
	}
	if e.Counts().Writes() != 0 {
		t.Fatal("planning wrote")
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	if c := e.Counts(); c.Creates != 3 || c.Updates != 2 || c.AnnotationsAdded != 3 {
		t.Errorf("counts %+v", c)
	}
	for seq, o := range j.Outcomes {
		if o.Status == pipeline.StatusFailed {
			t.Errorf("change %d failed: %+v", seq, o)
		}
		if o.Status == pipeline.StatusCreated && len(o.TargetID) != 36 {
			t.Errorf("change %d created without Genesys' id: %+v", seq, o)
		}
	}
	for _, a := range j.Acks {
		if a.RequestID == "" || a.Request == "" {
			t.Errorf("batch without its request or request id: %+v", a)
		}
	}
	got := map[string]genesystest.StoredAppointment{}
	for _, a := range e.Appointments() {
		got[a.Name] = a
	}
	if len(got) != 5 {
		t.Fatalf("%d appointments: %+v", len(got), got)
	}
	if a := got["Onboarding"]; a.LengthInMinutes != 45 || strings.Join(a.Attendees, ",") != "agent-1,agent-3" || a.Facilitator != "coach-1" ||
		!a.DateStart.Equal(day0.Add(11*time.Hour)) || a.Status != "Scheduled" {
		t.Errorf("Onboarding: %+v", a)
	}
	if a := got["Quality check"]; strings.Join(a.Conversations, ",") != "conv-8,conv-9" {
		t.Errorf("Quality check: %+v", a)
	}
	if a := got["Coaching exist-1"]; a.Description != "Weekly review, rescheduled topics" || len(a.Annotations) != 2 ||
		a.Annotations[1] != (genesystest.StoredAnnotation{Text: "Follow up next week", AccessType: "Public"}) {
		t.Errorf("exist-1: %+v", a)
	}
	if a := got["Coaching exist-2"]; a.LengthInMinutes != 60 || a.Description != "Weekly review" {
		t.Errorf("exist-2: %+v", a)
	}
	if a := got["Escalations"]; len(a.Annotations) != 2 || a.Annotations[1].AccessType != "Private" {
		t.Errorf("Escalations: %+v", a)
	}
}

// TestRefusedWriteFailsItsChange: a create Genesys refuses (400) fails
// with Genesys' code, message and context id, and the push goes on; the
// annotations of the appointment that was not created fail without a
// request.
func TestRefusedWriteFailsItsChange(t *testing.T) {
	e := org(t, genesystest.Config{})
	e.Inject(genesystest.Fault{Method: "POST", Path: "/api/v2/coaching/appointments", After: 2, Status: 400}) // the third create: Escalations
	tg := open_(t, e)
	p, err := tg.Plan(t.Context(), records(), pushtest.NewLedger())
	if err != nil {
		t.Fatal(err)
	}
	e.ResetCounts()
	j := &pushtest.Journal{Ledger: pushtest.NewLedger(), Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	failed := map[int]pipeline.Outcome{}
	for seq, o := range j.Outcomes {
		if o.Status == pipeline.StatusFailed {
			failed[seq] = o
		}
	}
	if o := failed[4]; o.Code != "bad.request" || o.Message == "" || len(failed) != 3 {
		t.Fatalf("failed outcomes %+v", failed)
	}
	if o := failed[5]; o.Code != "appointment_not_created" {
		t.Errorf("annotation of the refused appointment: %+v", o)
	}
	if a := j.Acks[4]; a.RequestID == "" || a.RequestID == "00000000-0000-4000-8000-000000000000" {
		t.Errorf("the refusal's request id: %+v", a)
	}
	if c := e.Counts(); c.Creates != 2 || c.AnnotationsAdded != 1 {
		t.Errorf("counts %+v", c)
	}
}

// TestLostCreateIsFoundAgain: a create whose answer was lost stays
// pending; the next plan finds the appointment by name, start and
// attendees and creates nothing twice.
func TestLostCreateIsFoundAgain(t *testing.T) {
	e := org(t, genesystest.Config{})
	e.Inject(genesystest.Fault{Method: "POST", Path: "/api/v2/coaching/appointments", Drop: true, Times: 1})
	tg := open_(t, e)
	led := pushtest.NewLedger()
	recs := records()[:1]
	p, err := tg.Plan(t.Context(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err == nil {
		t.Fatal("a lost answer did not stop the push")
	}
	if e, ok := led.Lookup(Appointments, p.Changes[0].Key); !ok || !e.Pending {
		t.Fatalf("the create is not pending: %+v", e)
	}
	if n := e.Counts().Creates; n != 1 {
		t.Fatalf("%d creates", n)
	}
	p2, err := tg.Plan(t.Context(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	if c := p2.Changes[0]; c.Action != pipeline.ActionUnchanged || c.TargetID == "" {
		t.Fatalf("after the lost answer: %+v", c)
	}
}

// TestRetriesThatCannotDuplicate: a create refused with 429 (not carried
// out) is sent again and created once; an update answered 503 is retried
// (setting fields twice changes nothing).
func TestRetriesThatCannotDuplicate(t *testing.T) {
	e := org(t, genesystest.Config{})
	tg := open_(t, e)
	recs := records()[:3] // two creates, one update
	p, err := tg.Plan(t.Context(), recs, pushtest.NewLedger())
	if err != nil {
		t.Fatal(err)
	}
	e.Inject(genesystest.Fault{Method: "POST", Path: "/api/v2/coaching/appointments", Status: 429, RetryAfter: 10 * time.Millisecond})
	e.Inject(genesystest.Fault{Method: "PATCH", Path: "/api/v2/coaching/appointments/*", Status: 503})
	j := &pushtest.Journal{Ledger: pushtest.NewLedger(), Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	for seq, o := range j.Outcomes {
		if o.Status == pipeline.StatusFailed {
			t.Errorf("change %d failed: %+v", seq, o)
		}
	}
	if c := e.Counts(); c.Creates != 2 || c.Updates != 1 || c.TooMany != 1 || c.Faults != 2 {
		t.Fatalf("counts %+v", c)
	}
	if n := len(e.Appointments()); n != 4 {
		t.Fatalf("%d appointments, want 4", n)
	}
}
