package planpush

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Wire cells of a change: the plan, the scorecard and the operation.
const (
	wPlan      = "coachingPlanName"
	wScorecard = "scorecardName"
	wOp        = "op"
	opAdd      = "addScorecard"
	opRemove   = "removeScorecard"
)

// Plan checks every record, reads each coaching plan the valid ones name
// (once, in sorted order) to learn whether it exists, and makes one change
// per record: invalid, skip (the ledger holds the same operation) or send.
func (t *target) Plan(ctx context.Context, recs []pipeline.Record, led pipeline.Ledger) (*pipeline.Plan, error) {
	p := &pipeline.Plan{CreatedAt: time.Now().UTC(), State: map[string]string{}}
	seen := map[string]string{}
	plans := map[string]bool{}
	for _, r := range recs {
		if r.Entity != EntityName {
			return nil, fmt.Errorf("target %s has no entity %q", KindName, r.Entity)
		}
		c := pipeline.Change{Seq: len(p.Changes), Entity: EntityName, Origin: r.Origin}
		wire, err := t.wireOf(r.Values)
		if err != nil {
			c.Action, c.Reason = pipeline.ActionInvalid, err.Error()
			p.Changes = append(p.Changes, c)
			continue
		}
		c.Key = wire[wPlan] + " " + wire[wScorecard]
		if first, dup := seen[c.Key]; dup {
			c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf("the link of %s to %s appears twice in the input (first at %s)",
				wire[wPlan], wire[wScorecard], first)
			p.Changes = append(p.Changes, c)
			continue
		}
		seen[c.Key] = r.Origin
		c.Wire = pipeline.WireMap(wire)
		c.Hash, c.Action = push.Hash(c.Wire), pipeline.ActionSend
		plans[wire[wPlan]] = true
		p.Changes = append(p.Changes, c)
	}
	missing := map[string]string{}
	state := map[string]push.Current{}
	for _, name := range slices.Sorted(maps.Keys(plans)) {
		reason, err := t.exists(ctx, name)
		if err != nil {
			return nil, err
		}
		found := "true"
		if reason != "" {
			missing[name], found = reason, "false"
		}
		state[name] = push.Current{ID: name, Wire: map[string]string{"found": found}}
	}
	p.State[EntityName] = push.Fingerprint(state)
	for i, c := range p.Changes {
		if c.Action != pipeline.ActionSend {
			continue
		}
		if reason, ok := missing[c.Wire.Get(wPlan)]; ok {
			p.Changes[i].Action, p.Changes[i].Reason = pipeline.ActionInvalid, "field plan: "+reason
			continue
		}
		if e, ok := led.Lookup(EntityName, c.Key); ok {
			if reason, skip := skip(c, e); skip {
				p.Changes[i].Action, p.Changes[i].Reason = pipeline.ActionSkip, reason
			}
		}
	}
	return p, nil
}

// skip says whether the ledger's entry for a link means it is not sent,
// and why.
func skip(c pipeline.Change, e pipeline.LedgerEntry) (string, bool) {
	switch {
	case e.Pending && c.Wire.Get(wOp) == opAdd:
		return "addScorecard was being sent when run " + e.RunID + " stopped: not sent again, as adding a linked scorecard " +
			"again may link it twice (if the plan lacks it, remove the job's ledger entry to send it)", true
	case e.Pending:
		return "", false // removing again cannot duplicate anything
	case e.Hash == c.Hash && c.Wire.Get(wOp) == opAdd:
		return "added by run " + e.RunID, true
	case e.Hash == c.Hash:
		return "removed by run " + e.RunID, true
	}
	return "", false
}

// wireOf checks a record and writes its cells.
func (t *target) wireOf(v map[string]any) (map[string]string, error) {
	if err := push.Check(t.ent, v); err != nil {
		return nil, err
	}
	plan, _ := v[fPlan].(string)
	sc, _ := v[fScorecard].(string)
	plan, sc = strings.TrimSpace(plan), strings.TrimSpace(sc)
	pc, _, _, err := cresta.ParsePlanName(plan)
	if err != nil {
		return nil, fmt.Errorf("field plan: %w", err)
	}
	sco, _, _, err := cresta.ParseScorecardName(sc)
	if err != nil {
		return nil, fmt.Errorf("field scorecard: %w", err)
	}
	if pc != sco {
		return nil, fmt.Errorf("field scorecard: a scorecard of customer %q cannot be linked to a plan of customer %q", sco, pc)
	}
	op := opAdd
	if w, ok := v[fWanted].(bool); ok && !w {
		op = opRemove
	}
	return map[string]string{wPlan: plan, wScorecard: sc, wOp: op}, nil
}

// exists reads a coaching plan: "" when Cresta has it, the reason when it
// answers 404, an error for anything else.
func (t *target) exists(ctx context.Context, name string) (string, error) {
	path := "/v1/" + cresta.EscapeName(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.o.BaseURL+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	_, err = t.client.Do(req)
	if se, ok := errors.AsType[*httpx.StatusError](err); ok && se.StatusCode == http.StatusNotFound {
		return "coaching plan " + name + " not found (" + vendorSays(se) + ")", nil
	}
	if err != nil {
		return "", fmt.Errorf("read coaching plan %s: %w", name, err)
	}
	return "", nil
}

// vendorSays is the status, Cresta's code and its message.
func vendorSays(se *httpx.StatusError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", se.StatusCode)
	if se.Code != "" {
		fmt.Fprintf(&b, ", code %s", se.Code)
	}
	if se.Message != "" {
		fmt.Fprintf(&b, ": %s", se.Message)
	}
	return b.String()
}
