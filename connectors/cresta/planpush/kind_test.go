package planpush

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

const (
	planA = "customers/acme/profiles/default/coachingPlans/a"
	planB = "customers/acme/profiles/default/coachingPlans/b"
	gone  = "customers/acme/profiles/default/coachingPlans/gone"
	sc1   = "customers/acme/profiles/default/scorecards/s1"
	sc2   = "customers/acme/profiles/default/scorecards/s2"
	sc3   = "customers/acme/profiles/default/scorecards/s3"
)

// tenant holds plans a and b; a has s1 linked.
func tenant(t *testing.T) *crestatest.Emulator {
	e := crestatest.New(t, crestatest.Config{})
	e.AddExamplePlan(planA)
	e.AddExamplePlan(planB)
	e.LinkScorecards(planA, sc1)
	return e
}

func emuOptions(e *crestatest.Emulator) map[string]string {
	return map[string]string{"base_url": e.URL(), "api_token": crestatest.DefaultToken, "rate_limit": "10000/1s"}
}

func link(origin, plan, scorecard string, wanted any) pipeline.Record {
	v := map[string]any{fPlan: plan, fScorecard: scorecard}
	if wanted != nil {
		v[fWanted] = wanted
	}
	return pipeline.Record{Entity: EntityName, Origin: origin, Values: v}
}

func records() []pipeline.Record {
	return []pipeline.Record{
		link("links.parquet[0]", planA, sc1, false),
		link("links.parquet[1]", planA, sc2, true),
		link("links.parquet[2]", planB, sc1, nil),
		link("links.parquet[3]", planB, sc3, true),
		link("links.parquet[4]", planB, sc2, false), // not linked: removing it is harmless
	}
}

func invalid() []pushtest.Invalid {
	return []pushtest.Invalid{
		{Record: link("bad[0]", "customers/acme/coachingPlans/a", sc1, true), Reason: "field plan: want customers/"},
		{Record: link("bad[1]", planA, "customers/acme/profiles/default/scorecard/s9", true), Reason: "field scorecard: want customers/"},
		{Record: link("bad[2]", planA, "customers/other/profiles/default/scorecards/s1", true), Reason: `customer "other"`},
		{Record: link("bad[3]", gone, sc1, true), Reason: "not found (404, code 5: coaching plan not found)"},
		{Record: link("bad[4]", planB, sc3, false), Reason: "appears twice in the input (first at links.parquet[3])"},
		{Record: link("bad[5]", planA, "customers/acme/profiles/default/scorecards/..", true), Reason: "field scorecard"},
		{Record: link("bad[6]", planA, sc3, "yes"), Reason: "field wanted: want true or false"},
	}
}

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := tenant(t)
			return pushtest.Env{Options: emuOptions(e), Writes: func() int { return e.Counts().Writes() },
				State: func() any { return e.Links() }}
		},
		Records: records(),
		Invalid: invalid(),
	})
}

func openTarget(t *testing.T, e *crestatest.Emulator) pipeline.Target {
	t.Helper()
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Kind: KindName, Options: emuOptions(e)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func TestPushReachesTheWantedLinks(t *testing.T) {
	e := tenant(t)
	tg := openTarget(t, e)
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), append(records(), invalid()[3].Record), led)
	if err != nil {
		t.Fatal(err)
	}
	// One GET per plan named by a valid row, nothing else.
	if c := e.Counts(); c.Plans != 2 || c.NotFound != 1 || c.Requests != 3 {
		t.Fatalf("planning made requests %+v", c)
	}
	ops := []string{}
	for _, c := range p.Changes {
		ops = append(ops, c.Action+" "+c.Wire.Get(wOp))
	}
	want := []string{"send removeScorecard", "send addScorecard", "send addScorecard", "send addScorecard", "send removeScorecard", "invalid addScorecard"}
	if !reflect.DeepEqual(ops, want) {
		t.Fatalf("plan %v, want %v", ops, want)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	wantLinks := map[string][]string{planA: {sc2}, planB: {sc1, sc3}}
	if got := e.Links(); !reflect.DeepEqual(got, wantLinks) {
		t.Fatalf("links %v, want %v", got, wantLinks)
	}
	if c := e.Counts(); c.Adds != 3 || c.Removes != 2 {
		t.Fatalf("writes %+v", c)
	}
	statuses := map[string]int{}
	for _, o := range j.Outcomes {
		statuses[o.Status]++
	}
	if statuses[pipeline.StatusCreated] != 3 || statuses[pipeline.StatusDeleted] != 2 || len(j.Acks) != 5 {
		t.Fatalf("outcomes %v, %d batches", j.Outcomes, len(j.Acks))
	}
	if r := j.Acks[1]; r.Request != "POST /v1/"+planA+":addScorecard ("+sc2+")" ||
		r.Response != `{"coachingPlanName":"`+planA+`","scorecardName":"`+sc2+`"}` {
		t.Fatalf("batch result %+v", r)
	}

	// Flipping a link sends it again; the rest is skipped by the ledger.
	recs := records()
	recs[1] = link("links.parquet[1]", planA, sc2, false)
	p2, err := tg.Plan(t.Context(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range p2.Changes {
		if (i == 1) != (c.Action == pipeline.ActionSend) {
			t.Errorf("change %d: %s %s", i, c.Action, c.Reason)
		}
		if i == 0 && c.Reason != "removed by run " {
			t.Errorf("skip reason %q", c.Reason)
		}
	}
}

func TestRefusedAddFailsItsChangeAndGoesOn(t *testing.T) {
	e := tenant(t)
	e.Inject(crestatest.Fault{Path: "/v1/" + planA + ":addScorecard", Status: http.StatusForbidden})
	tg := openTarget(t, e)
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), records()[:3], led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	if o := j.Outcomes[1]; o.Status != pipeline.StatusFailed || o.Code != "7" || o.Message != "Forbidden" {
		t.Fatalf("refused add: %+v", o)
	}
	if j.Outcomes[0].Status != pipeline.StatusDeleted || j.Outcomes[2].Status != pipeline.StatusCreated {
		t.Fatalf("outcomes %v", j.Outcomes)
	}
	// The failed link is not in the ledger: the next plan sends it again.
	p2, _ := tg.Plan(t.Context(), records()[:3], led)
	if p2.Changes[1].Action != pipeline.ActionSend || p2.Changes[0].Action != pipeline.ActionSkip {
		t.Fatalf("replan %+v", p2.Changes)
	}
}

// TestAddIsNotRetriedRemoveIs: a 503 may come after Cresta linked the
// scorecard, so an add is not sent again (the push stops, the change
// pending, and the next plan skips it); a remove is retried.
func TestAddIsNotRetriedRemoveIs(t *testing.T) {
	e := tenant(t)
	e.Inject(crestatest.Fault{Path: "/v1/" + planA + ":removeScorecard", Status: http.StatusServiceUnavailable, Times: 2})
	e.Inject(crestatest.Fault{Path: "/v1/" + planA + ":addScorecard", Status: http.StatusServiceUnavailable})
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Kind: KindName,
		Options: map[string]string{"base_url": e.URL(), "api_token": crestatest.DefaultToken, "rate_limit": "10000/1s"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), records()[:3], led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	err = tg.Apply(t.Context(), p, j)
	if err == nil || !strings.Contains(err.Error(), "stays pending") {
		t.Fatalf("apply: %v", err)
	}
	if c := e.Counts(); c.Faults != 3 || c.Removes != 1 || c.Adds != 0 {
		t.Fatalf("counts %+v", c)
	}
	if len(j.Acks) != 1 || j.Outcomes[0].Status != pipeline.StatusDeleted {
		t.Fatalf("acks %+v", j.Acks)
	}
	p2, err := tg.Plan(t.Context(), records()[:3], led)
	if err != nil {
		t.Fatal(err)
	}
	if c := p2.Changes[1]; c.Action != pipeline.ActionSkip || !strings.Contains(c.Reason, "may link it twice") {
		t.Fatalf("pending add: %+v", c)
	}
	if c := p2.Changes[2]; c.Action != pipeline.ActionSend {
		t.Fatalf("unsent add: %+v", c)
	}
}

func TestOptionsAndSecrets(t *testing.T) {
	err := Kind().Validate(map[string]string{"base_url": "ftp://x", "rate_limit": "x"})
	for _, want := range []string{"base_url: want an http(s) URL", "api_token is required", "rate_limit"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if err := Kind().CheckOptions(map[string]string{"plans": "x"}); err == nil {
		t.Error("the pull kind's plans option is accepted by the target")
	}
	e := tenant(t)
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: map[string]string{"base_url": e.URL(), "api_token": "wrong-token-value"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	_, err = tg.Plan(t.Context(), records()[:1], pushtest.NewLedger())
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-token-value") {
		t.Fatalf("plan with a bad token: %v", err)
	}
}

// TestAddSentAgainAfter429: a 429 proves the add was not carried out, so
// it is sent again after Retry-After; the link is made once.
func TestAddSentAgainAfter429(t *testing.T) {
	e := tenant(t)
	e.Inject(crestatest.Fault{Path: "/v1/" + planA + ":addScorecard", Status: http.StatusTooManyRequests,
		RetryAfter: 20 * time.Millisecond, Times: 2})
	tg := openTarget(t, e)
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), records()[1:2], led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	if c := e.Counts(); c.TooMany != 2 || c.Adds != 1 || j.Outcomes[0].Status != pipeline.StatusCreated {
		t.Fatalf("counts %+v, outcomes %v", c, j.Outcomes)
	}
	if got := e.Scorecards(planA); !reflect.DeepEqual(got, []string{sc1, sc2}) {
		t.Fatalf("links of a: %v", got)
	}
}
