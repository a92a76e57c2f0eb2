package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
)

var genDay = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)

// genesysOrg is an organization with a coach and three agents.
func genesysOrg(t *testing.T, cfg genesystest.Config) *genesystest.Emulator {
	e := genesystest.New(t, cfg)
	e.AddUsers(genesystest.User{ID: "coach-1", Name: "Cora Coach"}, genesystest.User{ID: "agent-1", Name: "Ann Agent"},
		genesystest.User{ID: "agent-2", Name: "Ben Agent"}, genesystest.User{ID: "agent-3", Name: "Cat Agent"})
	return e
}

// sourceOrg is the organization appointments are pulled from: five
// appointments of the agents the target knows (two annotated), one with an
// attendee the target does not know, one without a name.
func sourceOrg(t *testing.T) *genesystest.Emulator {
	e := genesystest.New(t, genesystest.Config{})
	for i, agent := range []string{"agent-1", "agent-2", "agent-3", "agent-1", "agent-2"} {
		id := fmt.Sprintf("src-%d", i)
		var notes []json.RawMessage
		if i < 2 {
			notes = append(notes, genesystest.Annotation(id+"-n1", genDay.Add(10*time.Hour), "coach-1", "Listen more, talk less"),
				genesystest.Annotation(id+"-n2", genDay.Add(11*time.Hour), "coach-1", fmt.Sprint("Follow up ", i)))
		}
		if err := e.Add(genesystest.Appointment(id, genDay.Add(time.Duration(i)*24*time.Hour+9*time.Hour), "coach-1", agent), nil, notes); err != nil {
			t.Fatal(err)
		}
	}
	e.Add(genesystest.Appointment("src-ghost", genDay.Add(9*time.Hour), "coach-1", "agent-1", "agent-99"), nil, nil)
	var noName map[string]any
	json.Unmarshal(genesystest.Appointment("src-noname", genDay.Add(10*time.Hour), "coach-1", "agent-2"), &noName)
	delete(noName, "name")
	raw, _ := json.Marshal(noName)
	e.Add(raw, nil, nil)
	return e
}

func writeJob(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pullInto pulls the source organization's appointments into a lake.
func pullInto(t *testing.T, src *genesystest.Emulator, lake string) {
	t.Helper()
	job := writeJob(t, t.TempDir(), "pull.yaml", fmt.Sprintf(`name: genesys-pull
source:
  kind: genesys-coaching
  options: {login_url: %s, api_url: %s, client_id: client-id, client_secret: client-secret,
            user_ids: "agent-1,agent-2,agent-3", start: "2024-01-01", end: "2024-02-01", rate_limit: 10000/1s}
sink: {url: %s}
`, src.LoginURL(), src.APIURL(), lake))
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("pull: exit %d: %s\n%s", code, stderr, stdout)
	}
}

// pushJob pushes the lake's appointments and annotations into dst.
func pushJob(t *testing.T, dir, lake string, dst *genesystest.Emulator) string {
	return writeJob(t, dir, "push.yaml", fmt.Sprintf(`name: genesys-push
source:
  kind: parquet
  inputs: [%s]
  options: {tables: "gen_coaching_appointment,gen_coaching_annotation"}
target:
  kind: genesys-coaching
  options: {login_url: %s, api_url: %s, client_id: client-id, client_secret: client-secret, rate_limit: 10000/1s, page_size: "3"}
  max_failures: 10
sink: {url: %s/out}
`, lake, dst.LoginURL(), dst.APIURL(), dir))
}

// pushRows reads every push_results row under out: action, status and
// error by origin.
func pushRows(t *testing.T, out string) map[string][3]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(out, "push_results", "*", "*.parquet"))
	rows := map[string][3]string{}
	for _, f := range files {
		cols := map[string][]string{}
		for _, c := range []string{"origin", "action", "status", "error"} {
			v, err := readColumn(f, c)
			if err != nil {
				t.Fatal(err)
			}
			cols[c] = v
		}
		for i, o := range cols["origin"] {
			rows[o] = [3]string{cols["action"][i], cols["status"][i], cols["error"][i]}
		}
	}
	return rows
}

// wantFrom is what the target must hold after a push of the source's
// valid appointments: the source's, with the status a new appointment has.
func wantFrom(src *genesystest.Emulator) []genesystest.StoredAppointment {
	var out []genesystest.StoredAppointment
	for _, a := range src.Appointments() {
		if a.Name == "" || strings.Contains(strings.Join(a.Attendees, ","), "agent-99") {
			continue
		}
		a.Status = "Scheduled"
		out = append(out, a)
	}
	return out
}

// TestPushGenesysRoundTripRerunAndInvalid pulls appointments from one
// organization into a lake and pushes the lake into another: the target
// holds the valid appointments with their annotations, the row with an
// unknown attendee and the row without a name are refused with their
// reasons, and a rerun writes nothing.
func TestPushGenesysRoundTripRerunAndInvalid(t *testing.T) {
	src, dst := sourceOrg(t), genesysOrg(t, genesystest.Config{})
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	pullInto(t, src, lake)
	job := pushJob(t, dir, lake, dst)

	code, stdout, stderr := call(t, "plan", job)
	if code != exitOK || dst.Counts().Writes() != 0 {
		t.Fatalf("plan: exit %d, %d writes: %s\n%s", code, dst.Counts().Writes(), stderr, stdout)
	}
	for _, want := range []string{"appointments: 5 to create", "annotations: 4 to create"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	}

	// The two invalid rows fail the run's changes: exit 3, the rest written.
	code, stdout, stderr = call(t, "run", job)
	if code != exitRejects || !strings.Contains(stdout, "9 created 2 failed") {
		t.Fatalf("run: exit %d: %s\n%s", code, stderr, stdout)
	}
	if c := dst.Counts(); c.Creates != 5 || c.AnnotationsAdded != 4 || c.Updates != 0 {
		t.Errorf("writes %+v", c)
	}
	got, want := dst.Appointments(), wantFrom(src)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("target after the push:\n%+v\nwant\n%+v", got, want)
	}
	rows := pushRows(t, filepath.Join(dir, "out"))
	var invalid []string
	created := 0
	for origin, r := range rows {
		switch {
		case r[0] == "invalid":
			invalid = append(invalid, r[2])
		case r[1] == "created":
			created++
		default:
			t.Errorf("%s: %v", origin, r)
		}
	}
	if created != 9 || len(invalid) != 2 {
		t.Fatalf("push_results: %d created, invalid %q", created, invalid)
	}
	reasons := strings.Join(invalid, " | ")
	if !strings.Contains(reasons, `unknown attendee "agent-99"`) || !strings.Contains(reasons, "field name: required") {
		t.Errorf("invalid reasons: %s", reasons)
	}

	// The same push again: nothing to write.
	before := dst.Counts().Writes()
	code, stdout, stderr = call(t, "run", "--json", job)
	if code != exitRejects {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	if n := dst.Counts().Writes() - before; n != 0 {
		t.Fatalf("the rerun wrote %d times", n)
	}
	var sum struct {
		Push struct {
			Status map[string]int `json:"status"`
		} `json:"push"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Push.Status["unchanged"] != 9 {
		t.Fatalf("rerun summary %v %s", err, stdout)
	}
	if !reflect.DeepEqual(dst.Appointments(), want) {
		t.Fatal("the rerun changed the target")
	}
}

// TestPushGenesysUpdatesChangedFields: an appointment edited at the source
// and pulled again is updated on the target (PATCH of the changed field),
// not created twice.
func TestPushGenesysUpdatesChangedFields(t *testing.T) {
	src, dst := sourceOrg(t), genesysOrg(t, genesystest.Config{})
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	pullInto(t, src, lake)
	job := pushJob(t, dir, lake, dst)
	if code, stdout, stderr := call(t, "run", job); code != exitOK && code != exitRejects {
		t.Fatalf("run: exit %d: %s\n%s", code, stderr, stdout)
	}
	var m map[string]any
	json.Unmarshal(genesystest.Appointment("src-2", genDay.Add(2*24*time.Hour+9*time.Hour), "coach-1", "agent-3"), &m)
	m["description"], m["lengthInMinutes"] = "Moved to a longer slot", 60
	raw, _ := json.Marshal(m)
	src.Add(raw, nil, nil)
	pullInto(t, src, lake)
	before := dst.Counts()
	if code, stdout, stderr := call(t, "run", job); code != exitOK && code != exitRejects {
		t.Fatalf("second run: exit %d: %s\n%s", code, stderr, stdout)
	}
	after := dst.Counts()
	if after.Updates-before.Updates != 1 || after.Creates != before.Creates || after.AnnotationsAdded != before.AnnotationsAdded {
		t.Fatalf("writes before %+v after %+v", before, after)
	}
	if got, want := dst.Appointments(), wantFrom(src); !reflect.DeepEqual(got, want) {
		t.Fatalf("target:\n%+v\nwant\n%+v", got, want)
	}
}

// TestPushGenesysKilledMidwayResumes kills a push with SIGKILL while a
// create is in flight (the organization carries it out), then runs it
// again: the target ends as a push that was never killed leaves it, with
// no appointment or annotation twice.
func TestPushGenesysKilledMidwayResumes(t *testing.T) {
	var n atomic.Int32
	arrived := make(chan struct{}, 1)
	hook := func(r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) == 4 {
			arrived <- struct{}{}
			time.Sleep(300 * time.Millisecond)
		}
	}
	src, dst := sourceOrg(t), genesysOrg(t, genesystest.Config{OnRequest: hook})
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	pullInto(t, src, lake)
	job := pushJob(t, dir, lake, dst)
	killDuringUpload(t, job, arrived)
	if c := dst.Counts(); c.Creates != 4 {
		t.Fatalf("before the rerun: %+v", c)
	}
	if code, stdout, stderr := call(t, "run", job); code != exitOK && code != exitRejects {
		t.Fatalf("rerun after the kill: exit %d: %s\n%s", code, stderr, stdout)
	}
	if c := dst.Counts(); c.Creates != 5 || c.AnnotationsAdded != 4 {
		t.Errorf("writes over both runs %+v, want 5 creates and 4 annotations", c)
	}
	if got, want := dst.Appointments(), wantFrom(src); !reflect.DeepEqual(got, want) {
		t.Fatalf("after kill and resume:\n%+v\nwant\n%+v", got, want)
	}
}

// TestPushGenesysSavedPlanAndStale: a saved plan applies; applied again it
// is stale (the organization now holds what it creates) and sends nothing.
func TestPushGenesysSavedPlanAndStale(t *testing.T) {
	src, dst := sourceOrg(t), genesysOrg(t, genesystest.Config{})
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	pullInto(t, src, lake)
	job := pushJob(t, dir, lake, dst)
	plan := filepath.Join(dir, "plan.json")
	if code, _, stderr := call(t, "plan", "-o", plan, job); code != exitOK {
		t.Fatalf("plan: %s", stderr)
	}
	if code, stdout, stderr := call(t, "apply", plan, job); code != exitRejects {
		t.Fatalf("apply: exit %d: %s\n%s", code, stderr, stdout)
	}
	if n := dst.Counts().Writes(); n != 9 {
		t.Fatalf("%d writes, want 9", n)
	}
	code, _, stderr := call(t, "apply", plan, job)
	if code != exitFailed || !strings.Contains(stderr, "the plan is stale") || dst.Counts().Writes() != 9 {
		t.Fatalf("stale apply: exit %d, %d writes: %s", code, dst.Counts().Writes(), stderr)
	}
}
