package maestroqa

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/pull"
	"github.com/ccetl/ccetl/pipeline"
)

// apiSource pulls the windows of a run in order, one request each, and
// decodes every body with one Decoder, so that points and to-dos repeated
// across windows are written once. With duplicates=first it fetches a
// window, decodes it step by step (handing out batches as they fill) and
// deletes its body before fetching the next. With duplicates=latest it
// first fetches and prescans every window, keeping the bodies, then
// decodes them in the same order.
type apiSource struct {
	o      APIOptions
	log    *slog.Logger
	client *httpx.Client
	budget *httpx.RetryBudget
	api    *exportAPI
	d      *Decoder
	plan   runPlan

	fetched []*spooled // duplicates=latest: every body, in window order
	next    int        // next window to decode
	body    *spooled   // body being decoded
	cur     *stream
	queue   []pipeline.Batch
	inputs  []pipeline.InputInfo
	done    bool
	closed  bool
}

func (s *apiSource) Tables() []pipeline.Table { return Tables }

func (s *apiSource) Next(ctx context.Context) (pipeline.Batch, error) {
	return pull.Next(ctx, APIKindName, &s.queue, &s.done, s.step)
}

// step does one unit of work: fetch (and prescan) a window, start
// decoding a body, decode one session of it, or finish it.
func (s *apiSource) step(ctx context.Context) error {
	if s.o.Latest && len(s.fetched) < len(s.plan.windows) {
		return s.prefetch(ctx)
	}
	if s.cur == nil {
		return s.open(ctx)
	}
	if err := s.d.step(s.cur, s.enqueue); err != nil {
		return err
	}
	if s.cur.done {
		b := s.body
		in := s.api.input(b.w)
		s.inputs = append(s.inputs, pipeline.InputInfo{Name: in, Bytes: b.bytes, SHA256: b.sha256})
		b.remove()
		s.body, s.cur = nil, nil
		s.checkpoint(in)
		s.next++
		s.done = s.next == len(s.plan.windows)
		if s.done {
			s.finish()
		}
	}
	return nil
}

// prefetch fetches the next window and prescans its body.
func (s *apiSource) prefetch(ctx context.Context) error {
	w := s.plan.windows[len(s.fetched)]
	b, err := s.api.fetch(ctx, w)
	if err != nil {
		return fmt.Errorf("window %s: %w", w, err)
	}
	s.fetched = append(s.fetched, b)
	r, err := b.reader()
	if err != nil {
		return err
	}
	return s.d.Prescan(ctx, r, s.api.source(w))
}

// open makes the next window's body the one being decoded, fetching it
// unless it was prefetched.
func (s *apiSource) open(ctx context.Context) error {
	w := s.plan.windows[s.next]
	if s.o.Latest {
		s.body, s.fetched[s.next] = s.fetched[s.next], nil
	} else {
		b, err := s.api.fetch(ctx, w)
		if err != nil {
			return fmt.Errorf("window %s: %w", w, err)
		}
		s.body = b
	}
	r, err := s.body.reader()
	if err != nil {
		return err
	}
	s.cur, err = s.d.open(r, s.api.source(w), s.api.input(w), false)
	return err
}

// checkpoint queues the checkpoint of window s.next, whose batches are
// all queued: the cursor is the one the run would report had it ended with
// this window (omitted while it is "", as Cursors omits it).
func (s *apiSource) checkpoint(in string) {
	b := pipeline.Batch{Checkpoint: true, Input: in}
	if c := s.plan.after[s.next]; c != "" {
		b.Cursors = map[string]string{CursorName(s.o.TimeAxis): c}
	}
	s.queue = append(s.queue, b)
}

func (s *apiSource) enqueue(b pipeline.Batch) error {
	s.queue = append(s.queue, b)
	return nil
}

// finish logs what the run found once every window was decoded. A session
// in two windows means the windows overlapped: the API reads endDate
// another way than the end_date option says.
func (s *apiSource) finish() {
	if n := s.d.sessions.merged; n > 0 {
		s.log.Warn("coaching sessions came back in more than one window: the API seems to read endDate inclusively; "+
			"set end_date to inclusive, or files of later runs may repeat them", slog.Int64("sessions", n))
	}
}

// Inputs lists the pulled windows (the sink replaces their earlier files).
func (s *apiSource) Inputs() []pipeline.InputInfo { return s.inputs }

// Cursors reports the new cursor once every window was pulled.
func (s *apiSource) Cursors() map[string]string {
	if !s.done || s.plan.cursor == "" {
		return nil
	}
	return map[string]string{CursorName(s.o.TimeAxis): s.plan.cursor}
}

// Report describes the run's requests and windows, and the decoder's
// de-duplication.
func (s *apiSource) Report() map[string]any {
	st := s.client.Stats()
	ws := s.plan.windows
	m := s.d.Report()
	endDate := "exclusive"
	if s.o.EndInclusive {
		endDate = "inclusive"
	}
	m["maestroqa_api"] = map[string]any{
		"requests":          st.Requests,
		"retries":           st.Retries,
		"too_many_requests": st.TooManyRequests,
		"limiter_wait_ms":   st.LimiterWait.Milliseconds(),
		"retry_wait_ms":     st.RetryWait.Milliseconds(),
		"retry_budget_used": s.budget.Used(),
		"body_restarts":     s.api.restarts,
		"windows":           len(ws),
		"windows_pulled":    len(s.inputs),
		"time_axis":         s.o.TimeAxis,
		"end_date":          endDate,
		"requested":         s.plan.from.Format(time.DateOnly) + "/" + s.plan.to.Format(time.DateOnly),
		"pulled":            ws[0].Start.Format(time.DateOnly) + "/" + ws[len(ws)-1].End.Format(time.DateOnly),
		"sessions_repeated": s.d.sessions.merged,
	}
	return m
}

func (s *apiSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	for i := range s.queue {
		s.queue[i].Release()
	}
	s.queue = nil
	if s.body != nil {
		s.body.remove()
		s.body = nil
	}
	for _, b := range s.fetched {
		if b != nil {
			b.remove()
		}
	}
	s.fetched = nil
	s.d.Release()
	return s.client.Close(context.Background())
}
