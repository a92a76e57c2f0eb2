package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

func orgDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// orgTenant is a tenant holding the export examples: one group, one team
// and the person the sample persons file updates.
func orgTenant(t *testing.T, o calabriotest.Options) *calabriotest.Emulator {
	e := calabriotest.New(t, o)
	e.UseOrg(calabriotest.Org{
		Groups: []calabriotest.OrgGroup{{ID: 2, Name: "Default Group", Activated: orgDay(2016, 8, 17), Deactivated: orgDay(2999, 12, 31)}},
		Teams: []calabriotest.OrgGroup{{ID: 3, Name: "Exported Team", Activated: orgDay(2016, 8, 17), Deactivated: orgDay(2999, 12, 31),
			Parent: "Default Group"}},
		Persons: []calabriotest.OrgPerson{{ID: 12, Fields: map[string]string{"email": "agent1@example.com", "firstName": "Ann",
			"lastName": "Agent", "roles": "Agent"}}},
	})
	return e
}

func uploads(e *calabriotest.Emulator) int {
	n := 0
	for route, c := range e.Stats().Routes {
		if strings.HasPrefix(route, "POST upload/") {
			n += c
		}
	}
	return n
}

// orgPushJob writes a push job: the reference's org examples (the samples
// under configs/samples/org) into the tenant at url, one row an upload.
func orgPushJob(t *testing.T, dir, url string) string {
	root := repoRoot(t)
	job := fmt.Sprintf(`name: org-push
sources:
  - {kind: org-groups, inputs: [%[1]s/configs/samples/org/groups/groups.csv]}
  - {kind: org-teams, inputs: [%[1]s/configs/samples/org/teams/teams.csv]}
  - {kind: org-persons, inputs: [%[1]s/configs/samples/org/persons/persons.csv]}
target:
  kind: calabrio-org-import
  options:
    base_url: %[2]s
    username: %[3]s
    password: %[4]s
    rate_limit: 10000/1s
    retry_delay: 1ms
    batch_rows: "1"
sink:
  url: %[5]s/out
`, root, url, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)
	path := filepath.Join(dir, "org-push.yaml")
	if err := os.WriteFile(path, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pushStatuses reads every push_results file under out and counts statuses.
func pushStatuses(t *testing.T, out string) map[string]int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(out, "push_results", "*", "*.parquet"))
	got := map[string]int{}
	for _, f := range files {
		statuses, err := readColumn(f, "status")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			got[s]++
		}
	}
	return got
}

func TestPushOrgExamplesPlanRunRerun(t *testing.T) {
	e := orgTenant(t, calabriotest.Options{})
	dir := t.TempDir()
	job := orgPushJob(t, dir, e.URL)

	code, stdout, stderr := call(t, "plan", job)
	if code != exitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"groups: 2 to create", "+ create    Sales", "teams: 2 to create", "persons: 2 to create, 1 to update",
		`lastName: "Agent" -> "Agent"`} {
		if want == `lastName: "Agent" -> "Agent"` {
			if strings.Contains(stdout, want) {
				t.Errorf("plan shows a change that is none: %s", want)
			}
			continue
		}
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	}
	if uploads(e) != 0 {
		t.Fatalf("plan uploaded %d files", uploads(e))
	}

	code, stdout, stderr = call(t, "run", job)
	if code != exitOK {
		t.Fatalf("run: exit %d: %s\n%s", code, stderr, stdout)
	}
	if n := uploads(e); n != 7 {
		t.Errorf("%d uploads, want 7 (one row each)", n)
	}
	org := e.Org()
	names := func(gs []calabriotest.OrgGroup) string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name+"<"+g.Parent)
		}
		return strings.Join(out, ",")
	}
	if got := names(org.Groups); got != "Default Group<,Sales<,Finance<" {
		t.Errorf("groups %s", got)
	}
	if got := names(org.Teams); got != "Exported Team<Default Group,Car Sales<Sales,Parts Sales<Sales" {
		t.Errorf("teams %s", got)
	}
	if len(org.Persons) != 3 || org.Persons[0].Fields["memberGroup"] != "Car Sales" || org.Persons[0].Fields["acdId"] != "1001" ||
		org.Persons[1].Fields["email"] != "super1@example.com" || org.Persons[1].Fields["roles"] != "Supervisor;Agent" ||
		org.Persons[2].Fields["lastName"] != "O'Neil, Jr." {
		t.Errorf("persons %+v", org.Persons)
	}
	if st := pushStatuses(t, filepath.Join(dir, "out")); st["created"] != 6 || st["updated"] != 1 || len(st) != 2 {
		t.Errorf("push_results statuses %v", st)
	}

	// The same push again: nothing to send.
	before := uploads(e)
	code, stdout, stderr = call(t, "run", "--json", job)
	if code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	if n := uploads(e) - before; n != 0 {
		t.Fatalf("the rerun uploaded %d files", n)
	}
	var sum struct {
		Push struct {
			Status map[string]int `json:"status"`
		} `json:"push"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Push.Status["unchanged"] != 7 {
		t.Fatalf("rerun summary %v %s", err, stdout)
	}
}

func TestPushOrgSavedPlanAndStale(t *testing.T) {
	e := orgTenant(t, calabriotest.Options{})
	dir := t.TempDir()
	job := orgPushJob(t, dir, e.URL)
	plan := filepath.Join(dir, "plan.json")
	if code, _, stderr := call(t, "plan", "-o", plan, job); code != exitOK {
		t.Fatalf("plan: %s", stderr)
	}
	if code, stdout, stderr := call(t, "apply", plan, job); code != exitOK {
		t.Fatalf("apply: exit %d: %s\n%s", code, stderr, stdout)
	}
	if len(e.Org().Groups) != 3 {
		t.Fatalf("groups after apply: %+v", e.Org().Groups)
	}
	// The saved plan is now stale: the tenant has what it would create.
	before := uploads(e)
	code, _, stderr := call(t, "apply", plan, job)
	if code != exitFailed || !strings.Contains(stderr, "the plan is stale") {
		t.Fatalf("stale apply: exit %d: %s", code, stderr)
	}
	if uploads(e) != before {
		t.Fatal("a stale plan uploaded")
	}
}

// TestPushOrgRoundTrip pulls the org export and pushes it back: the plan
// says everything is unchanged and nothing is sent.
func TestPushOrgRoundTrip(t *testing.T) {
	e := orgTenant(t, calabriotest.Options{})
	dir := t.TempDir()
	job := fmt.Sprintf(`name: org-round-trip
source:
  kind: calabrio-org-export
  options: {base_url: %[1]s, username: %[2]s, password: %[3]s, rate_limit: 10000/1s}
target:
  kind: calabrio-org-import
  options: {base_url: %[1]s, username: %[2]s, password: %[3]s, rate_limit: 10000/1s}
sink: {url: %[4]s/out}
`, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)
	path := filepath.Join(dir, "job.yaml")
	os.WriteFile(path, []byte(job), 0o644)
	code, stdout, stderr := call(t, "plan", path)
	if code != exitOK || !strings.Contains(stdout, "Plan: 0 to create, 0 to update, 3 unchanged.") {
		t.Fatalf("plan: exit %d: %s\n%s", code, stderr, stdout)
	}
	if code, _, stderr := call(t, "run", path); code != exitOK {
		t.Fatalf("run: %s", stderr)
	}
	if uploads(e) != 0 {
		t.Fatalf("a round trip uploaded %d files", uploads(e))
	}
}
