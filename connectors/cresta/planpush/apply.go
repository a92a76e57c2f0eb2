package planpush

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ccetl/ccetl/connectors/cresta"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Apply sends the plan's sends in Seq order, one request (and one journal
// batch) each.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	for _, batch := range push.Batches(p.Changes, 1, 0, nil) {
		if err := t.send(ctx, batch[0], j); err != nil {
			return err
		}
	}
	return nil
}

// send carries out one change: begin, request, acknowledge. A refusal
// (4xx other than 429) fails the change with Cresta's code and message;
// any other error stops the push with the change pending.
func (t *target) send(ctx context.Context, c pipeline.Change, j pipeline.Journal) error {
	if err := j.Begin(ctx, EntityName, []pipeline.Change{c}); err != nil {
		return err
	}
	op := c.Wire.Get(wOp)
	path := "/v1/" + cresta.EscapeName(c.Wire.Get(wPlan)) + ":" + op
	body, _ := json.Marshal(map[string]string{"scorecardName": c.Wire.Get(wScorecard)})
	res := pipeline.BatchResult{Entity: EntityName, Request: fmt.Sprintf("POST %s (%s)", path, c.Wire.Get(wScorecard))}
	o := pipeline.Outcome{Seq: c.Seq}
	do := func(ctx context.Context) (*httpx.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.o.BaseURL+path, strings.NewReader(string(body)))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		return t.client.Do(req)
	}
	var resp *httpx.Response
	var err error
	if op == opAdd {
		resp, err = push.SendOnce(ctx, 3, do)
	} else {
		resp, err = do(ctx)
	}
	switch {
	case push.Refused(err):
		res.RequestID, _ = push.FailedBy(err, &o)
	case err != nil && op == opAdd:
		return fmt.Errorf("%s %s to %s (it may or may not be linked; the change stays pending): %w",
			op, c.Wire.Get(wScorecard), c.Wire.Get(wPlan), err)
	case err != nil:
		return fmt.Errorf("%s %s from %s: %w", op, c.Wire.Get(wScorecard), c.Wire.Get(wPlan), err)
	default:
		res.Response = string(resp.Body)
		o = outcome(c, resp.Body)
	}
	res.Outcomes = []pipeline.Outcome{o}
	return j.Ack(ctx, res)
}

// outcome reads a 200 answer: addScorecard must name the plan and the
// scorecard it linked; removeScorecard answers {}.
func outcome(c pipeline.Change, body []byte) pipeline.Outcome {
	o := pipeline.Outcome{Seq: c.Seq, TargetID: c.Key}
	if c.Wire.Get(wOp) == opRemove {
		o.Status = pipeline.StatusDeleted
		return o
	}
	var got struct {
		Plan      string `json:"coachingPlanName"`
		Scorecard string `json:"scorecardName"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		o.Status, o.Code, o.Message = pipeline.StatusFailed, "bad_response", "addScorecard answered 200 without a JSON object"
		return o
	}
	if got.Plan != c.Wire.Get(wPlan) || got.Scorecard != c.Wire.Get(wScorecard) {
		o.Status, o.Code = pipeline.StatusFailed, "bad_response"
		o.Message = fmt.Sprintf("addScorecard answered 200 naming plan %q and scorecard %q, not the ones sent", got.Plan, got.Scorecard)
		return o
	}
	o.Status = pipeline.StatusCreated
	return o
}
