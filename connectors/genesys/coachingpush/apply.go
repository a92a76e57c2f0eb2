package coachingpush

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/connectors/genesys"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// createAttempts bounds how often a create is sent when it provably did
// not reach Genesys (connection refused, 429).
const createAttempts = 3

// maxResponse bounds the response body kept in a batch result.
const maxResponse = 4 << 10

// Apply sends the plan's writes one request each, in Seq order, each its
// own batch: Begin, the request, Ack with its outcome. A create is sent
// once (again only when it cannot have reached Genesys: connection
// refused, 429); an update sets fields, so it is retried like a read. A
// refusal (4xx, or a 5xx the retries did not get past) fails the change
// with Genesys' code and message and the push goes on; a lost answer,
// an exhausted retry budget or a rejected token stops it with the
// change left pending (the next plan finds a create that landed by its
// name, dateStart and attendees).
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	created := map[string]string{} // appointment change key → new id
	for _, c := range p.Changes {
		if !push.Writes(c) {
			continue
		}
		if err := j.Begin(ctx, c.Entity, []pipeline.Change{c}); err != nil {
			return err
		}
		res, err := t.send(ctx, c, created)
		if err != nil {
			return fmt.Errorf("%s: %s %s (left pending): %w", KindName, c.Entity, c.Key, err)
		}
		if err := j.Ack(ctx, res); err != nil {
			return err
		}
	}
	return nil
}

// send carries out one change and describes its outcome.
func (t *target) send(ctx context.Context, c pipeline.Change, created map[string]string) (pipeline.BatchResult, error) {
	res := pipeline.BatchResult{Entity: c.Entity}
	o := pipeline.Outcome{Seq: c.Seq}
	var (
		method, path string
		body         any
		once         bool
	)
	switch {
	case c.Entity == Appointments && c.Action == pipeline.ActionCreate:
		method, path, body, once = http.MethodPost, appointmentsPath, createBody(c.Wire.Map()), true
		o.Status = pipeline.StatusCreated
	case c.Entity == Appointments && c.Action == pipeline.ActionUpdate:
		method, path, body = http.MethodPatch, fmt.Sprintf(appointmentPath, url.PathEscape(c.TargetID)), patchBody(c)
		o.Status, o.TargetID = pipeline.StatusUpdated, c.TargetID
	case c.Entity == Annotations && c.Action == pipeline.ActionCreate:
		id := c.Wire.Get("appointmentId")
		if id == "" {
			id = created[c.Wire.Get("appointmentKey")]
		}
		path = fmt.Sprintf(annotationsPath, url.PathEscape(id))
		if id == "" {
			res.Request = "POST " + annotationsPath + " (not sent)"
			o.Status, o.Code = pipeline.StatusFailed, "appointment_not_created"
			o.Message = fmt.Sprintf("appointment %s of this push was not created", c.Wire.Get("appointmentKey"))
			res.Outcomes = []pipeline.Outcome{o}
			return res, nil
		}
		method, body, once = http.MethodPost, map[string]string{"text": c.Wire.Get("text"), "accessType": c.Wire.Get("accessType")}, true
		o.Status = pipeline.StatusCreated
	default:
		return res, fmt.Errorf("cannot %s %s", c.Action, c.Entity)
	}
	res.Request = method + " " + path
	if c.Action == pipeline.ActionUpdate {
		var names []string
		for _, f := range c.Fields {
			names = append(names, f.Field)
		}
		res.Request += " (" + strings.Join(names, ", ") + ")"
	}
	do := func(ctx context.Context) (*httpx.Response, error) {
		req, err := t.conn.Request(ctx, method, path, nil, body)
		if err != nil {
			return nil, err
		}
		return t.conn.Client.Do(req)
	}
	var resp *httpx.Response
	var err error
	if once {
		resp, err = push.SendOnce(ctx, createAttempts, do)
	} else {
		resp, err = do(ctx)
	}
	se, isStatus := errors.AsType[*httpx.StatusError](err)
	switch {
	case err == nil:
	case errors.Is(err, httpx.ErrRetryBudgetExhausted) || !isStatus || se.StatusCode == http.StatusUnauthorized:
		return res, err
	default:
		res.RequestID, _ = push.FailedBy(err, &o)
		res.Outcomes = []pipeline.Outcome{o}
		return res, nil
	}
	res.RequestID = resp.Header.Get(genesys.CorrelationHeader)
	res.Response = string(resp.Body[:min(len(resp.Body), maxResponse)])
	if c.Action == pipeline.ActionCreate {
		id, err := idOf(resp.Body)
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", method, path, err)
		}
		o.TargetID = id
		if c.Entity == Appointments {
			created[c.Key] = id
		}
	}
	res.Outcomes = []pipeline.Outcome{o}
	return res, nil
}

// createBody is a CreateCoachingAppointmentRequest.
func createBody(w map[string]string) map[string]any {
	b := map[string]any{}
	for _, k := range compared {
		if v, ok := w[k]; ok && v != "" {
			b[k] = wireValue(k, v)
		}
	}
	return b
}

// patchBody is an UpdateCoachingAppointmentRequest with the fields the
// update changes.
func patchBody(c pipeline.Change) map[string]any {
	b := map[string]any{}
	for _, f := range c.Fields {
		b[f.Field] = wireValue(f.Field, f.New)
	}
	return b
}

// wireValue turns a wire cell into its JSON value.
func wireValue(k, v string) any {
	switch k {
	case "lengthInMinutes":
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	case "attendeeIds", "conversationIds":
		return splitIDs(v)
	}
	return v
}
