package agentpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Apply carries out the plan one request per change, in order: deletes,
// agents, skills, services. A new agent is created with its skills and
// services in the one Create request; their changes are acknowledged
// with it.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	if t.st == nil {
		return errors.New("apply before plan")
	}
	t.created = map[string]int64{}
	done := map[int]bool{} // changes carried by a Create
	for _, c := range p.Changes {
		if !push.Writes(c) || done[c.Seq] {
			continue
		}
		var err error
		switch {
		case c.Entity == Agents && c.Action == pipeline.ActionCreate:
			err = t.create(ctx, p, c, j, done)
		case c.Entity == Agents:
			err = t.one(ctx, c, j, t.agentRequest(c))
		default:
			err = t.one(ctx, c, j, t.assignRequest(c))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// request is one write.
type request struct {
	method, resource string
	query            url.Values
	body             any
	// failed, when set, fails the change without a request.
	failed string
}

func (t *target) agentRequest(c pipeline.Change) request {
	res := "agents/" + c.TargetID
	if c.Action == pipeline.ActionDelete {
		return request{method: http.MethodDelete, resource: res}
	}
	body := map[string]any{}
	for _, f := range c.Fields {
		body[f.Field] = jsonValue(f.Field, f.New)
	}
	return request{method: http.MethodPut, resource: res, body: body}
}

// agentID is the client's id of the agent of an assignment change: the
// plan's, or the one this apply created.
func (t *target) agentID(c pipeline.Change) string {
	if c.TargetID != "" {
		return c.TargetID
	}
	if id, ok := t.created[c.Wire.Get("agent")]; ok {
		return strconv.FormatInt(id, 10)
	}
	return ""
}

func (t *target) assignRequest(c pipeline.Change) request {
	agent := t.agentID(c)
	if agent == "" {
		return request{failed: "its agent " + c.Wire.Get("agent") + " was not created"}
	}
	kind := "skills"
	if c.Entity == Services {
		kind = "services"
	}
	r := request{method: http.MethodPut, resource: "agents/" + agent + "/" + kind + "/" + c.Wire.Get("id")}
	switch {
	case c.Action == pipeline.ActionDelete:
		r.method = http.MethodDelete
	case c.Entity == Skills:
		r.query = url.Values{"proficiency": {c.Wire.Get("proficiency")}}
	}
	return r
}

// one sends one change's request as a batch of its own. PUT and DELETE
// set a state, so the client retries them as it retries reads.
func (t *target) one(ctx context.Context, c pipeline.Change, j pipeline.Journal, r request) error {
	if err := j.Begin(ctx, c.Entity, []pipeline.Change{c}); err != nil {
		return err
	}
	res := pipeline.BatchResult{Entity: c.Entity, Request: r.method + " " + t.conn.Path(r.resource)}
	o := pipeline.Outcome{Seq: c.Seq}
	if r.failed != "" {
		res.Request = ""
		o.Status, o.Code, o.Message = pipeline.StatusFailed, "not_sent", r.failed
		res.Outcomes = []pipeline.Outcome{o}
		return j.Ack(ctx, res)
	}
	resp, err := t.conn.Do(ctx, r.method, r.resource, r.query, r.body)
	switch {
	case err == nil:
		res.Response = string(resp.Body)
		o.Status, o.TargetID = statusOf(c), c.TargetID
		if c.Entity == Agents && c.Action == pipeline.ActionDelete {
			o.TargetID = c.TargetID
		}
	case c.Action == pipeline.ActionDelete && isStatus(err, http.StatusNotFound):
		o.Status, o.Message = pipeline.StatusDeleted, "already gone"
	default:
		if !refusal(err, &o, &res) {
			return fmt.Errorf("%s: %w", res.Request, err)
		}
	}
	res.Outcomes = []pipeline.Outcome{o}
	return j.Ack(ctx, res)
}

// create sends Create Agent with the agent's planned skills and services
// and acknowledges them all.
func (t *target) create(ctx context.Context, p *pipeline.Plan, c pipeline.Change, j pipeline.Journal, done map[int]bool) error {
	body := map[string]any{"clientId": t.conn.ClientID(), "password": t.passwords[c.Key]}
	for k, v := range c.Wire.All() {
		body[k] = jsonValue(k, v)
	}
	var carried []pipeline.Change
	var skills, services []map[string]int64
	for _, x := range p.Changes {
		if x.Action != pipeline.ActionCreate || x.Wire.Get("agent") != c.Key || (x.Entity != Skills && x.Entity != Services) {
			continue
		}
		id, _ := strconv.ParseInt(x.Wire.Get("id"), 10, 64)
		if x.Entity == Skills {
			prof, _ := strconv.ParseInt(x.Wire.Get("proficiency"), 10, 64)
			skills = append(skills, map[string]int64{"id": id, "proficiency": prof})
		} else {
			services = append(services, map[string]int64{"id": id})
		}
		carried = append(carried, x)
		done[x.Seq] = true
	}
	if len(skills) > 0 {
		body["assignedAgentSkill"] = skills
	}
	if len(services) > 0 {
		body["assignedService"] = services
	}
	if err := j.Begin(ctx, Agents, []pipeline.Change{c}); err != nil {
		return err
	}
	res := pipeline.BatchResult{Entity: Agents, Request: "POST " + t.conn.Path("agents")}
	o := pipeline.Outcome{Seq: c.Seq}
	resp, err := push.SendOnce(ctx, 3, func(ctx context.Context) (*httpx.Response, error) {
		return t.conn.Do(ctx, http.MethodPost, "agents", nil, body)
	})
	switch {
	case err == nil:
		var out struct {
			ID int64 `json:"id"`
		}
		res.Response = string(resp.Body)
		if json.Unmarshal(resp.Body, &out) != nil || out.ID == 0 {
			o.Status, o.Code, o.Message = pipeline.StatusFailed, "bad_answer", "Create Agent answered without an id"
			break
		}
		t.created[c.Key] = out.ID
		o.Status, o.TargetID = pipeline.StatusCreated, strconv.FormatInt(out.ID, 10)
	default:
		if !refusal(err, &o, &res) {
			return fmt.Errorf("%s (the agent may or may not be created; the next plan reads it back): %w", res.Request, err)
		}
	}
	res.Outcomes = []pipeline.Outcome{o}
	if err := j.Ack(ctx, res); err != nil {
		return err
	}
	for _, entity := range []string{Skills, Services} {
		var mine []pipeline.Change
		for _, x := range carried {
			if x.Entity == entity {
				mine = append(mine, x)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if err := j.Begin(ctx, entity, mine); err != nil {
			return err
		}
		br := pipeline.BatchResult{Entity: entity, Request: res.Request + " (with the agent)", RequestID: res.RequestID}
		for _, x := range mine {
			xo := pipeline.Outcome{Seq: x.Seq, Status: pipeline.StatusCreated, TargetID: o.TargetID}
			if o.Status == pipeline.StatusFailed {
				xo = pipeline.Outcome{Seq: x.Seq, Status: pipeline.StatusFailed, Code: o.Code,
					Message: "its agent was not created: " + o.Message}
			}
			br.Outcomes = append(br.Outcomes, xo)
		}
		if err := j.Ack(ctx, br); err != nil {
			return err
		}
	}
	return nil
}

// refusal fills o with LiveVox's answer when err is a refusal of the
// request: the change failed, the push goes on.
func refusal(err error, o *pipeline.Outcome, res *pipeline.BatchResult) bool {
	if !push.Refused(err) {
		return false
	}
	res.RequestID, _ = push.FailedBy(err, o)
	return true
}

func isStatus(err error, code int) bool {
	se, ok := errors.AsType[*httpx.StatusError](err)
	return ok && se.StatusCode == code
}

func statusOf(c pipeline.Change) string {
	switch c.Action {
	case pipeline.ActionDelete:
		return pipeline.StatusDeleted
	case pipeline.ActionCreate:
		return pipeline.StatusCreated
	}
	return pipeline.StatusUpdated
}

// jsonValue is a wire cell as Create and Update take it.
func jsonValue(key, v string) any {
	switch key {
	case "wrapUpTime":
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	case "homeAgent", "active":
		return v == "true"
	}
	return v
}
