package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
)

const (
	crestaPlanA = "customers/acme/profiles/default/coachingPlans/a"
	crestaPlanB = "customers/acme/profiles/default/coachingPlans/b"
	crestaSc1   = "customers/acme/profiles/default/scorecards/s1"
	crestaSc2   = "customers/acme/profiles/default/scorecards/s2"
	crestaSc3   = "customers/acme/profiles/default/scorecards/s3"
)

// crestaTenant holds plans a and b; a has scorecard s1 linked.
func crestaTenant(t *testing.T) *crestatest.Emulator {
	e := crestatest.New(t, crestatest.Config{})
	e.AddExamplePlan(crestaPlanA)
	e.AddExamplePlan(crestaPlanB)
	e.LinkScorecards(crestaPlanA, crestaSc1)
	return e
}

// crestaLink is one row of cresta_coaching_plan_scorecard; wanted nil is
// a null cell.
type crestaLink struct {
	plan, scorecard string
	wanted          any
}

// writeCrestaLinks writes a lake table cresta_coaching_plan_scorecard of
// links, with a customer_id column the target does not take.
func writeCrestaLinks(t *testing.T, lake string, links []crestaLink) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "plan", Type: arrow.BinaryTypes.String},
		{Name: "scorecard", Type: arrow.BinaryTypes.String},
		{Name: "wanted", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "customer_id", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, l := range links {
		b.Field(0).(*array.StringBuilder).Append(l.plan)
		b.Field(1).(*array.StringBuilder).Append(l.scorecard)
		if w, ok := l.wanted.(bool); ok {
			b.Field(2).(*array.BooleanBuilder).Append(w)
		} else {
			b.Field(2).AppendNull()
		}
		b.Field(3).(*array.StringBuilder).Append("acme")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	dir := filepath.Join(lake, "cresta_coaching_plan_scorecard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "links.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// crestaPushJob writes a job pushing the lake's link table into e.
func crestaPushJob(t *testing.T, dir, lake string, e *crestatest.Emulator) string {
	job := fmt.Sprintf(`name: cresta-links
source: {kind: parquet, inputs: [%s/cresta_coaching_plan_scorecard]}
target:
  kind: cresta-coaching-plans
  options: {base_url: %s, api_token: %s, rate_limit: 10000/1s}
sink: {url: %s/out}
`, lake, e.URL(), crestatest.DefaultToken, dir)
	path := filepath.Join(dir, "cresta-links.yaml")
	if err := os.WriteFile(path, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var crestaLinks = []crestaLink{
	{crestaPlanA, crestaSc1, false},
	{crestaPlanA, crestaSc2, true},
	{crestaPlanB, crestaSc1, nil},
	{crestaPlanB, crestaSc3, true},
}

// pushColumn reads one column of every push_results file under out, in
// seq order within the one run it expects.
func pushColumn(t *testing.T, out, name string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(out, "push_results", "*", "*.parquet"))
	var all []string
	for _, f := range files {
		col, err := readColumn(f, name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, col...)
	}
	return all
}

func TestPushCrestaRunThenRerunSendsNothing(t *testing.T) {
	e := crestaTenant(t)
	dir, lake := t.TempDir(), t.TempDir()
	writeCrestaLinks(t, lake, crestaLinks)
	job := crestaPushJob(t, dir, lake, e)

	code, stdout, stderr := call(t, "plan", job)
	if code != exitOK || !strings.Contains(stdout, "4 to send") {
		t.Fatalf("plan: exit %d: %s\n%s", code, stderr, stdout)
	}
	if c := e.Counts(); c.Writes() != 0 || c.Plans != 2 {
		t.Fatalf("planning: %+v (want two plan reads, no write)", c)
	}

	code, stdout, stderr = call(t, "run", job)
	if code != exitOK {
		t.Fatalf("run: exit %d: %s\n%s", code, stderr, stdout)
	}
	want := map[string][]string{crestaPlanA: {crestaSc2}, crestaPlanB: {crestaSc1, crestaSc3}}
	if got := e.Links(); !reflect.DeepEqual(got, want) {
		t.Fatalf("links %v, want %v", got, want)
	}
	if c := e.Counts(); c.Adds != 3 || c.Removes != 1 {
		t.Fatalf("writes %+v", c)
	}
	if st := pushStatuses(t, filepath.Join(dir, "out")); st["created"] != 3 || st["deleted"] != 1 || len(st) != 2 {
		t.Fatalf("push_results statuses %v", st)
	}

	before := e.Counts()
	code, stdout, stderr = call(t, "run", "--json", job)
	if code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	after := e.Counts()
	if n := after.Writes() - before.Writes(); n != 0 {
		t.Fatalf("the rerun sent %d writes", n)
	}
	if n := after.Plans - before.Plans; n != 2 {
		t.Fatalf("the rerun read %d plans, want 2", n)
	}
	var sum struct {
		Push struct {
			Status map[string]int `json:"status"`
		} `json:"push"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Push.Status["skipped"] != 4 || len(sum.Push.Status) != 1 {
		t.Fatalf("rerun summary %v %s", err, stdout)
	}
	if got := e.Links(); !reflect.DeepEqual(got, want) {
		t.Fatalf("links after the rerun %v", got)
	}
}

func TestPushCrestaInvalidRowsRefusedRestPushed(t *testing.T) {
	e := crestaTenant(t)
	dir, lake := t.TempDir(), t.TempDir()
	gone := "customers/acme/profiles/default/coachingPlans/gone"
	writeCrestaLinks(t, lake, append([]crestaLink{
		{"customers/acme/coachingPlans/a", crestaSc2, true},                    // no profile
		{crestaPlanB, "customers/acme/profiles/default/scorecards/s2/x", true}, // not a scorecard name
		{crestaPlanB, "customers/other/profiles/default/scorecards/s2", true},  // another customer
		{gone, crestaSc2, true}, // a plan Cresta lacks
	}, crestaLinks...))
	job := crestaPushJob(t, dir, lake, e)
	code, stdout, stderr := call(t, "run", job)
	if code != exitRejects || !strings.Contains(stdout, "3 created 1 deleted 4 failed (4 requests;") {
		t.Fatalf("run with invalid rows: exit %d: %s\n%s", code, stderr, stdout)
	}
	want := map[string][]string{crestaPlanA: {crestaSc2}, crestaPlanB: {crestaSc1, crestaSc3}}
	if got := e.Links(); !reflect.DeepEqual(got, want) {
		t.Fatalf("links %v, want %v", got, want)
	}
	out := filepath.Join(dir, "out")
	statuses, reasons, codes := pushColumn(t, out, "status"), pushColumn(t, out, "error"), pushColumn(t, out, "error_code")
	if len(statuses) != 8 {
		t.Fatalf("%d push_results rows, want 8", len(statuses))
	}
	wantReasons := []string{
		"field plan: want customers/{customer_id}/profiles/{profile_id}/coachingPlans/{coaching_plan_id}",
		"field scorecard: want customers/{customer_id}/profiles/{profile_id}/scorecards/{scorecard_id}",
		`field scorecard: a scorecard of customer "other" cannot be linked to a plan of customer "acme"`,
		"field plan: coaching plan " + gone + " not found (404, code 5: coaching plan not found)",
	}
	failed := 0
	for i, s := range statuses {
		if s != "failed" {
			continue
		}
		failed++
		if codes[i] != "invalid" || !contains(wantReasons, reasons[i]) {
			t.Errorf("failed row %d: %s %q", i, codes[i], reasons[i])
		}
	}
	if failed != 4 {
		t.Fatalf("%d rows failed, want 4: %v", failed, statuses)
	}
	if c := e.Counts(); c.Adds != 3 || c.Removes != 1 || c.Plans != 2 || c.NotFound != 1 {
		t.Fatalf("requests %+v", c)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPushCrestaSavedPlanStaleWhenAPlanGoes: a saved plan is refused when a
// plan it links to was deleted since, and nothing is sent.
func TestPushCrestaSavedPlanStaleWhenAPlanGoes(t *testing.T) {
	e := crestaTenant(t)
	dir, lake := t.TempDir(), t.TempDir()
	writeCrestaLinks(t, lake, crestaLinks)
	job := crestaPushJob(t, dir, lake, e)
	plan := filepath.Join(dir, "plan.json")
	if code, _, stderr := call(t, "plan", "-o", plan, job); code != exitOK {
		t.Fatalf("plan: %s", stderr)
	}
	e.RemovePlan(crestaPlanB)
	code, _, stderr := call(t, "apply", plan, job)
	if code != exitFailed || !strings.Contains(stderr, "the plan is stale") {
		t.Fatalf("stale apply: exit %d: %s", code, stderr)
	}
	if c := e.Counts(); c.Writes() != 0 {
		t.Fatalf("a stale plan sent %d writes", c.Writes())
	}
}
