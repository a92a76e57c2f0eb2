package crestatest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

//go:embed testdata/add_scorecard.response.verbatim.json
var addScorecardExample []byte

const plan = "customers/acme/profiles/default/coachingPlans/p1"

func call(t *testing.T, e *Emulator, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL()+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %q is not a JSON object", method, path, b)
	}
	return resp.StatusCode, m
}

func keys(m map[string]any) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func TestGetPlanServesTheExample(t *testing.T) {
	e := New(t, Config{})
	e.AddExamplePlan(plan)
	code, m := call(t, e, "GET", "/v1/"+plan, DefaultToken, "")
	if code != 200 {
		t.Fatalf("GET: %d %v", code, m)
	}
	var ex map[string]map[string]any
	if err := json.Unmarshal(RepairedExample, &ex); err != nil {
		t.Fatal(err)
	}
	got := m["coachingPlan"].(map[string]any)
	if got["name"] != plan || !reflect.DeepEqual(keys(got), keys(ex["coachingPlan"])) || got["startTime"] != "2019-08-24T14:15:22Z" {
		t.Fatalf("plan %v", got)
	}
	if code, m := call(t, e, "GET", "/v1/"+plan, "", ""); code != 401 || m["code"] != float64(16) {
		t.Fatalf("no token: %d %v", code, m)
	}
	if code, m := call(t, e, "GET", "/v1/customers/acme/profiles/default/coachingPlans/nope", DefaultToken, ""); code != 404 || m["code"] != float64(5) {
		t.Fatalf("unknown plan: %d %v", code, m)
	}
	if code, _ := call(t, e, "GET", "/v1/customers/acme/coachingPlans/p1", DefaultToken, ""); code != 404 {
		t.Fatalf("a name off the template: %d", code)
	}
	if code, _ := call(t, e, "DELETE", "/v1/"+plan, DefaultToken, ""); code != 405 {
		t.Fatalf("DELETE: %d", code)
	}
}

func TestScorecardOperations(t *testing.T) {
	e := New(t, Config{})
	e.AddExamplePlan(plan)
	sc := "customers/acme/profiles/default/scorecards/s1"
	code, m := call(t, e, "POST", "/v1/"+plan+":addScorecard", DefaultToken, `{"scorecardName":"`+sc+`"}`)
	var ex map[string]any
	json.Unmarshal(addScorecardExample, &ex)
	if code != 200 || m["coachingPlanName"] != plan || m["scorecardName"] != sc || !reflect.DeepEqual(keys(m), keys(ex)) {
		t.Fatalf("addScorecard: %d %v", code, m)
	}
	if got := e.Scorecards(plan); len(got) != 1 || got[0] != sc {
		t.Fatalf("scorecards %v", got)
	}
	if code, m := call(t, e, "POST", "/v1/"+plan+":addScorecard", DefaultToken, `{"scorecardName":"string"}`); code != 400 || m["code"] != float64(3) {
		t.Fatalf("bad scorecard name: %d %v", code, m)
	}
	if code, m := call(t, e, "POST", "/v1/"+plan+":removeScorecard", DefaultToken, `{"scorecardName":"`+sc+`"}`); code != 200 || len(m) != 0 {
		t.Fatalf("removeScorecard: %d %v", code, m)
	}
	if got := e.Scorecards(plan); len(got) != 0 {
		t.Fatalf("scorecards after remove %v", got)
	}
}

func TestLinksAndWriteCounts(t *testing.T) {
	e := New(t, Config{})
	e.AddExamplePlan(plan)
	other := "customers/acme/profiles/default/coachingPlans/p2"
	e.AddExamplePlan(other)
	s1, s2 := "customers/acme/profiles/default/scorecards/s1", "customers/acme/profiles/default/scorecards/s2"
	e.LinkScorecards(plan, s1)
	// The reference does not say adding a linked scorecard is harmless:
	// the emulator lists it twice.
	for _, sc := range []string{s2, s1} {
		if code, _ := call(t, e, "POST", "/v1/"+plan+":addScorecard", DefaultToken, `{"scorecardName":"`+sc+`"}`); code != 200 {
			t.Fatalf("add %s: %d", sc, code)
		}
	}
	if got := e.Links(); !reflect.DeepEqual(got, map[string][]string{plan: {s1, s2, s1}}) {
		t.Fatalf("links %v", got)
	}
	// Removing takes every listing; removing what is not linked answers {}.
	for _, p := range []string{plan, other} {
		if code, m := call(t, e, "POST", "/v1/"+p+":removeScorecard", DefaultToken, `{"scorecardName":"`+s1+`"}`); code != 200 || len(m) != 0 {
			t.Fatalf("remove from %s: %d %v", p, code, m)
		}
	}
	if got := e.Links(); !reflect.DeepEqual(got, map[string][]string{plan: {s2}}) {
		t.Fatalf("links after remove %v", got)
	}
	// The plan object never lists its scorecards.
	if _, m := call(t, e, "GET", "/v1/"+plan, DefaultToken, ""); strings.Contains(fmt.Sprint(m), "scorecards/") {
		t.Fatalf("GET shows links: %v", m)
	}
	// A refused write is not counted.
	call(t, e, "POST", "/v1/"+plan+":addScorecard", DefaultToken, `{"scorecardName":"s3"}`)
	if c := e.Counts(); c.Adds != 2 || c.Removes != 2 || c.Writes() != 4 {
		t.Fatalf("counts %+v", c)
	}
	e.RemovePlan(plan)
	if code, _ := call(t, e, "GET", "/v1/"+plan, DefaultToken, ""); code != 404 || len(e.Links()) != 0 {
		t.Fatalf("removed plan: %d %v", code, e.Links())
	}
}
