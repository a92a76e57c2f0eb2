package cresta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/jsonrow"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

var (
	errPlanNotFound  = errors.New("coaching plan not found")
	errNoPlan        = errors.New("response has no coachingPlan object")
	errNameDiffers   = errors.New("name differs from the requested resource name")
	errNotJSONObject = errors.New("response is not a JSON object")
)

// source writes one plan per step, in the order of the plans option, and
// writes the plans as one snapshot. The GETs of up to Concurrency plans
// are in flight at once (the rate limit still spaces them); their answers
// are written in order, so the table is the same whatever the concurrency.
type source struct {
	o      Options
	client *httpx.Client
	budget *httpx.RetryBudget
	b      *rowbuild.Batcher
	rec    jsonrow.Record
	snap   int64 // snapshot_at, epoch ms
	input  string
	bytes  *atomic.Int64 // the run's input-bytes counter, may be nil

	next    int                // the plan written next
	started int                // plans whose GET was started
	ahead   []chan fetched     // the answers of plans next..started-1
	ctx     context.Context    // the GETs' context: the run's, until Close
	cancel  context.CancelFunc // stops the GETs in flight
	queue   []pipeline.Batch
	done    bool
	written int
	missing []string // plans the tenant answered 404 for
	log     *slog.Logger
}

func (s *source) Tables() []pipeline.Table { return []pipeline.Table{Table} }

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	for len(s.queue) == 0 {
		if s.done {
			return pipeline.Batch{}, pipeline.ErrEndOfInput
		}
		if s.next == len(s.o.Plans) {
			if len(s.missing) == len(s.o.Plans) {
				// Not one plan found: the job names plans of another
				// tenant, or base_url is wrong. Nothing to snapshot.
				return pipeline.Batch{}, fmt.Errorf("kind %s: %w: none of the %d plans exists (every one answered 404): check plans and base_url",
					KindName, errPlanNotFound, len(s.o.Plans))
			}
			if s.b.Pending() {
				s.queue = append(s.queue, s.b.Flush(s.input))
			}
			s.done = true
			continue
		}
		s.fetchAhead(ctx)
		f := <-s.ahead[0]
		s.ahead = s.ahead[1:]
		if err := s.plan(s.o.Plans[s.next], f); err != nil {
			return pipeline.Batch{}, fmt.Errorf("kind %s: %w", KindName, err)
		}
		s.next++
		if s.b.Full() {
			s.queue = append(s.queue, s.b.Flush(s.input))
		}
	}
	b := s.queue[0]
	s.queue = s.queue[1:]
	return b, nil
}

// fetched is the answer to one plan's GET.
type fetched struct {
	body []byte
	err  error
}

// fetchAhead starts the GETs of the plans after the next one to write,
// until Concurrency are in flight or waiting to be written. They run
// under the first ctx (the run's) until Close cancels them.
func (s *source) fetchAhead(ctx context.Context) {
	if s.cancel == nil {
		s.ctx, s.cancel = context.WithCancel(ctx)
	}
	ctx = s.ctx
	for s.started < len(s.o.Plans) && s.started < s.next+s.o.Concurrency {
		ch := make(chan fetched, 1)
		s.ahead = append(s.ahead, ch)
		go func(name string) {
			body, err := s.get(ctx, name)
			ch <- fetched{body, err}
		}(s.o.Plans[s.started])
		s.started++
	}
}

// get sends GET /v1/{name} and returns the answer's body.
func (s *source) get(ctx context.Context, name string) ([]byte, error) {
	path := "/v1/" + EscapeName(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.o.BaseURL+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if s.bytes != nil {
		s.bytes.Add(int64(len(resp.Body)))
	}
	return resp.Body, nil
}

// plan stages the row of plan name from the answer to its GET. A 404 (a
// plan deleted, or a name the tenant does not have) is no data to reject:
// the report counts and names it and the log warns with the vendor's
// message; every other error fails the run.
func (s *source) plan(name string, f fetched) error {
	source := "GET /v1/" + EscapeName(name)
	if se, ok := errors.AsType[*httpx.StatusError](f.err); ok && se.StatusCode == http.StatusNotFound {
		s.missing = append(s.missing, name)
		s.log.Warn("coaching plan not found: deleted, or not a plan of this tenant (check the plans option)",
			"plan", name, "error", notFound(se).Error())
		return nil
	}
	if f.err != nil {
		return f.err
	}
	var body struct {
		Plan json.RawMessage `json:"coachingPlan"`
	}
	if err := json.Unmarshal(f.body, &body); err != nil {
		s.b.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: source, Record: 0, Err: errNotJSONObject}, Raw: string(f.body)})
		return nil
	}
	r := &s.rec
	*r = jsonrow.Record{B: s.b.B}
	if json.Unmarshal(body.Plan, &r.F) != nil || r.F == nil {
		s.b.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: source, Record: 0, Column: "coachingPlan", Err: errNoPlan}, Raw: string(f.body)})
		return nil
	}
	s.stage(name)
	if r.Bad != nil {
		s.b.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: source, Record: 0, Column: r.Bad.Field, Err: r.Bad.Err}, Raw: string(body.Plan)})
		return nil
	}
	s.b.Commit(len(body.Plan))
	s.written++
	return nil
}

// stage stages the plan's fields; requested is the resource name asked for.
func (s *source) stage(requested string) {
	r := &s.rec
	switch got, ok := r.Text("name"); {
	case !ok || got == "":
		r.Fail("name", jsonrow.ErrMissing)
	case got != requested:
		r.Fail("name", errNameDiffers)
	}
	customer, profile, plan, _ := ParsePlanName(requested)
	r.B.SetString(cName, requested)
	r.B.SetTimestamp(cSnapshotAt, s.snap)
	r.B.SetString(cCustomerID, customer)
	r.B.SetString(cProfileID, profile)
	r.B.SetString(cCoachingPlanID, plan)
	r.Str(cDisplayName, "displayName")
	r.TS(cStartTime, "startTime", false)
	r.TS(cEndTime, "endTime", false)
	r.JSON(cFocusBehaviors, "focusBehaviors", '[')
	r.JSON(cFocusCriteria, "focusCriteria", '[')
	r.Str(cComment, "comment")
	r.TS(cManagerCommentSubmitTime, "managerCommentSubmitTime", false)
	r.Str(cAgentUserName, "agentUserName")
	r.Str(cCreatorUserName, "creatorUserName")
	r.Bool(cIsActive, "isActive")
	r.TS(cCreateTime, "createTime", false)
	r.TS(cUpdateTime, "updateTime", false)
	r.Str(cUsecaseName, "usecaseName")
	r.JSON(cCoachingSessions, "coachingSessions", '[')
}

// notFound is the reason of a 404 reject: the vendor's code and message.
func notFound(se *httpx.StatusError) error {
	var b strings.Builder
	b.WriteString("404")
	if se.Code != "" {
		fmt.Fprintf(&b, ", code %s", se.Code)
	}
	if se.Message != "" {
		fmt.Fprintf(&b, ": %s", se.Message)
	}
	return fmt.Errorf("%w (%s)", errPlanNotFound, b.String())
}

// EscapeName escapes each segment of a resource name for the URL path.
func EscapeName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Report describes the run's requests and plans.
func (s *source) Report() map[string]any {
	st := s.client.Stats()
	return map[string]any{"cresta": map[string]any{
		"requests":              st.Requests,
		"retries":               st.Retries,
		"too_many_requests":     st.TooManyRequests,
		"limiter_wait_ms":       st.LimiterWait.Milliseconds(),
		"retry_wait_ms":         st.RetryWait.Milliseconds(),
		"retry_budget_used":     s.budget.Used(),
		"plans_requested":       len(s.o.Plans),
		"plans_written":         s.written,
		"plans_not_found":       len(s.missing),
		"plans_not_found_names": s.missing,
	}}
}

// Inputs names the snapshot, so the sink's manifests list it.
func (s *source) Inputs() []pipeline.InputInfo {
	if !s.done {
		return nil
	}
	return []pipeline.InputInfo{{Name: s.input}}
}

func (s *source) Close() error {
	if s.cancel != nil {
		s.cancel()
		for _, ch := range s.ahead {
			<-ch // every GET has stopped before the client closes
		}
		s.ahead = nil
	}
	for i := range s.queue {
		s.queue[i].Release()
	}
	s.queue = nil
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
	return s.client.Close(context.Background())
}
