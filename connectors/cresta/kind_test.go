package cresta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

func TestParseOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"plans": "customers/a/coachingPlans/b, customers/a/profiles/b/coachingPlans/c/d", "rate_limit": "x"})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{"base_url is required", "api_token is required", "plans: item 1", "plans: item 2", "rate_limit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %q", err, want)
		}
	}
	o, err := ParseOptions(map[string]string{"base_url": "https://acme.cresta.com/", "api_token": "tok",
		"plans": " customers/c/profiles/p/coachingPlans/2 ,customers/c/profiles/p/coachingPlans/1,customers/c/profiles/p/coachingPlans/2"})
	if err != nil {
		t.Fatal(err)
	}
	if o.BaseURL != "https://acme.cresta.com" || strings.Join(o.Plans, " ") != "customers/c/profiles/p/coachingPlans/1 customers/c/profiles/p/coachingPlans/2" {
		t.Fatalf("parsed %+v", o)
	}
	if _, _, _, err := ParsePlanName("customers/../profiles/p/coachingPlans/1"); err == nil {
		t.Fatal("a dot-dot segment was accepted")
	}
	for _, opt := range Kind().Options {
		if opt.Name == "api_token" && !opt.Secret {
			t.Fatal("api_token is not marked Secret")
		}
	}
}

func TestReferenceExampleFixtures(t *testing.T) {
	if json.Valid(crestatest.VerbatimExample) {
		t.Fatal("the verbatim example parses; it elides arrays as [ … ]")
	}
	if !json.Valid(crestatest.RepairedExample) {
		t.Fatal("the repaired example does not parse")
	}
	if want := bytes.ReplaceAll(crestatest.VerbatimExample, []byte("[ … ]"), []byte("[]")); !bytes.Equal(want, crestatest.RepairedExample) {
		t.Fatal("the repaired example differs from the verbatim one by more than the elided arrays")
	}
}

func TestSnapshotOfPlans(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	names := planNames(2)
	e.AddExamplePlan(names[0])
	// The element shape of the elided arrays is undocumented: invented.
	e.AddPlan(names[1], json.RawMessage(`{"name":"`+names[1]+`","displayName":"Empathy","isActive":false,
		"focusBehaviors":[{"name":"customers/acme/profiles/default/behaviors/b1"}],"focusCriteria":[ {"id" : 7} ],
		"coachingSessions":[{"name":"s1","startTime":"2024-05-01T10:00:00.5Z"}],"createTime":"2024-04-30T08:00:00.123456789Z"}`))
	o := run(t, options(e, names), now0, "")
	if o.err != nil {
		t.Fatal(o.err)
	}
	got := rows(t, o.out)
	if len(got) != 2 {
		t.Fatalf("%d rows", len(got))
	}
	ex := time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC).UnixMilli()
	want := map[string]any{
		"name": names[0], "snapshot_at": now0.UnixMilli(), "customer_id": "acme", "profile_id": "default",
		"coaching_plan_id": "plan-00", "display_name": "string", "start_time": ex, "end_time": ex,
		"focus_behaviors_json": "[]", "focus_criteria_json": "[]", "comment": "string", "manager_comment_submit_time": ex,
		"agent_user_name": "string", "creator_user_name": "string", "is_active": true, "create_time": ex,
		"update_time": ex, "usecase_name": "string", "coaching_sessions_json": "[]",
	}
	r := got[key(names[0], now0)]
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %#v, want %#v", k, r[k], v)
		}
	}
	if len(r) != len(want) {
		t.Errorf("%d columns, want %d", len(r), len(want))
	}
	r = got[key(names[1], now0)]
	if r["focus_behaviors_json"] != `[{"name":"customers/acme/profiles/default/behaviors/b1"}]` || r["focus_criteria_json"] != `[{"id":7}]` ||
		r["coaching_sessions_json"] != `[{"name":"s1","startTime":"2024-05-01T10:00:00.5Z"}]` || r["is_active"] != false ||
		r["create_time"] != time.Date(2024, 4, 30, 8, 0, 0, 123_000_000, time.UTC).UnixMilli() || r["start_time"] != nil {
		t.Errorf("plan with arrays: %v", r)
	}
	if files := lakecheck.Files(t, o.out, TableName); len(files) != 1 || !strings.Contains(files[0], "dt=2024-05-06") {
		t.Errorf("files %v: want one, partitioned by snapshot_at", files)
	}
	if c := e.Counts(); c.Requests != 2 || c.Plans != 2 {
		t.Errorf("counts %+v", c)
	}
}

// A plan the tenant answers 404 for is not bad data: no reject, a count
// and its name in the report.
func TestMissingPlanIsReportedNotRejected(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	names := planNames(3)
	e.AddExamplePlan(names[0])
	e.AddExamplePlan(names[2])
	o := run(t, options(e, names), now0, "")
	if o.err != nil {
		t.Fatalf("a missing plan failed the run: %v", o.err)
	}
	if n := len(rows(t, o.out)); n != 2 {
		t.Fatalf("%d rows", n)
	}
	if rj := lakecheck.Rejects(t, o.out, TableName); len(rj) != 0 {
		t.Fatalf("rejects %+v", rj)
	}
	if rep := report(t, o); rep["plans_not_found"] != 1 || rep["plans_written"] != 2 ||
		fmt.Sprint(rep["plans_not_found_names"]) != "["+names[1]+"]" {
		t.Fatalf("report %v", rep)
	}
	if st := o.res.Tables[TableName]; st.RowsIn != 2 || st.RowsRejected != 0 || st.RowsOut != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// When not one plan is found the job is wrong (a wrong base_url or plans
// of another tenant): the run fails saying so, nothing is committed.
func TestNoPlanFoundFailsClearly(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	o := run(t, options(e, planNames(2)), now0, "")
	failedClean(t, o)
	if !errors.Is(o.err, errPlanNotFound) || !strings.Contains(o.err.Error(), "none of the 2 plans exists") ||
		!strings.Contains(o.err.Error(), "check plans and base_url") {
		t.Fatalf("error %v", o.err)
	}
	if c := e.Counts(); c.Requests != 2 {
		t.Errorf("counts %+v: want one request per plan", c)
	}
}

func TestBadPlanRecordsRejected(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	names := planNames(3)
	// The reference's example as printed: its name is the placeholder.
	var ex struct {
		Plan json.RawMessage `json:"coachingPlan"`
	}
	json.Unmarshal(crestatest.RepairedExample, &ex)
	e.AddPlan(names[0], ex.Plan)
	e.AddPlan(names[1], json.RawMessage(`{"name":"`+names[1]+`","isActive":"yes","comment":"keep calm"}`))
	e.AddPlan(names[2], json.RawMessage(`{"name":"`+names[2]+`","focusBehaviors":{"a":1}}`))
	o := run(t, options(e, names), now0, "")
	if o.err != nil {
		t.Fatal(o.err)
	}
	rj := lakecheck.Rejects(t, o.out, TableName)
	want := [][2]string{{"name", "differs from the requested"}, {"isActive", "not a JSON boolean"}, {"focusBehaviors", "not a JSON array"}}
	if len(rj) != len(want) {
		t.Fatalf("rejects %+v", rj)
	}
	for i, w := range want {
		if rj[i].Column != w[0] || !strings.Contains(rj[i].Reason, w[1]) || rj[i].Record == nil || *rj[i].Record != 0 {
			t.Errorf("reject %d: %+v, want %v", i, rj[i], w)
		}
		if strings.Contains(rj[i].Reason, "yes") || strings.Contains(rj[i].Reason, "keep calm") || strings.Contains(rj[i].Reason, "requested resource name: string") {
			t.Errorf("reject %d quotes a value: %q", i, rj[i].Reason)
		}
	}
	if rj[1].Raw != `{"name":"`+names[1]+`","isActive":"yes","comment":"keep calm"}` {
		t.Errorf("raw %q", rj[1].Raw)
	}
}

func TestSnapshotsPerRun(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	names := planNames(2)
	for _, n := range names {
		e.AddExamplePlan(n)
	}
	out := t.TempDir()
	later := now0.Add(24 * time.Hour)
	for _, at := range []time.Time{now0, later, later} { // the third run repeats the second
		if o := run(t, options(e, names), at, out); o.err != nil {
			t.Fatal(o.err)
		}
	}
	got := rows(t, out)
	if len(got) != 4 || got[key(names[0], now0)] == nil || got[key(names[1], later)] == nil {
		t.Fatalf("%d rows: want one per plan and snapshot", len(got))
	}
}

func TestUnauthorizedFailsClean(t *testing.T) {
	e := crestatest.New(t, crestatest.Config{})
	e.AddExamplePlan(planNames(1)[0])
	o := run(t, options(e, planNames(1), "api_token", "wrong-token-value"), now0, "")
	failedClean(t, o)
	if msg := o.err.Error(); !strings.Contains(msg, "401") || !strings.Contains(msg, "unauthenticated") || strings.Contains(msg, "wrong-token-value") {
		t.Fatalf("error %q", msg)
	}
	if c := e.Counts(); c.Requests != 1 {
		t.Fatalf("%d requests after a refusal of a static token", c.Requests)
	}
}
