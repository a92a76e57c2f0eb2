package genesys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/jsonrow"
	"github.com/ccetl/ccetl/connectors/internal/pull"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// source pulls the cells of a run one appointments page at a time: each
// step fetches one page for one user chunk and, for every appointment it
// writes, the status history and annotations, then hands out the batches
// that are full. The children of up to Concurrency appointments are read
// at once (the rate limit still spaces the requests) and staged in the
// page's order, so the tables are the same whatever the concurrency. At the end of a cell every table is flushed under the
// cell's input name, then a checkpoint batch closes the cell.
type source struct {
	o        Options
	log      *slog.Logger
	client   *httpx.Client
	budget   *httpx.RetryBudget
	api      *api
	span     span
	cells    []cell
	chunks   [][]string
	usersKey string
	allUsers bool // list the organization's users first (no user_ids)

	ci, ui, pageNo int // position: cell, user chunk, page
	done           bool
	batchers       []*rowbuild.Batcher
	rec            jsonrow.Record
	seen           map[string]bool // appointment ids written in this run
	queue          []pipeline.Batch
	inputs         []pipeline.InputInfo
	cellBytes      int64

	written, gone int64
	listed        int // users listed (no user_ids)
}

func (s *source) Tables() []pipeline.Table { return Tables }

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	return pull.Next(ctx, KindName, &s.queue, &s.done, s.step)
}

// step fetches the next appointments page, or closes the current cell.
func (s *source) step(ctx context.Context) error {
	if s.allUsers {
		return s.users(ctx)
	}
	c := s.cells[s.ci]
	in := s.input(c)
	if s.ui < len(s.chunks) {
		more, err := s.appointments(ctx, c, in)
		if err != nil {
			return err
		}
		if more {
			s.pageNo++
		} else {
			s.ui, s.pageNo = s.ui+1, 1
		}
		return nil
	}
	for _, b := range s.batchers {
		if b.Pending() {
			s.queue = append(s.queue, b.Flush(in))
		}
	}
	s.inputs = append(s.inputs, pipeline.InputInfo{Name: in, Bytes: s.cellBytes})
	s.queue = append(s.queue, pipeline.Batch{Checkpoint: true, Input: in, Cursors: map[string]string{CursorName: s.span.after(c)}})
	s.cellBytes = 0
	s.ci, s.ui, s.pageNo = s.ci+1, 0, 1
	s.done = s.ci == len(s.cells)
	return nil
}

// users lists the organization's users into gen_user, under an input of
// its own closed by a checkpoint, and makes their ids the user chunks.
func (s *source) users(ctx context.Context) error {
	s.allUsers = false
	in := fmt.Sprintf("genesys:%s%s", s.o.APIURL, UsersPath)
	b := s.batchers[xUser]
	var ids []string
	var n int64
	for pn := 1; ; pn++ {
		p, err := s.api.list(ctx, UsersPath, url.Values{}, pn, "")
		if err != nil {
			return fmt.Errorf("users page %d: %w", pn, err)
		}
		n += int64(p.bytes)
		for i, raw := range p.Entities {
			r := &s.rec
			var id string
			if r.Open(b.B, raw) {
				id = r.Key(uID, "id")
				r.Str(uName, "name")
				r.Str(uEmail, "email")
				r.Str(uUsername, "username")
				r.Str(uState, "state")
				r.Str(uTitle, "title")
				r.Str(uDepartment, "department")
				r.Ref(uDivisionID, "division")
				r.Int(uVersion, "version")
				r.Str(uSelfURI, "selfUri")
			}
			switch {
			case r.Bad != nil:
				b.Reject(reject(p, i, r.Bad, raw))
			case slices.Contains(ids, id):
				b.Merge()
			default:
				ids = append(ids, id)
				b.Commit(len(raw))
			}
			if b.Full() {
				s.queue = append(s.queue, b.Flush(in))
			}
		}
		if !p.more(s.o.PageSize) {
			break
		}
	}
	if b.Pending() {
		s.queue = append(s.queue, b.Flush(in))
	}
	slices.Sort(ids)
	s.chunks = nil
	if len(ids) > 0 {
		s.chunks = chunk(ids, s.o.UsersPerRequest)
	}
	s.listed = len(ids)
	s.inputs = append(s.inputs, pipeline.InputInfo{Name: in, Bytes: n})
	s.queue = append(s.queue, pipeline.Batch{Checkpoint: true, Input: in})
	return nil
}

// appointments reads one appointments page of cell c for the current user
// chunk and reports whether another page follows.
func (s *source) appointments(ctx context.Context, c cell, in string) (bool, error) {
	q := url.Values{"userIds": s.chunks[s.ui], "interval": {c.interval()}}
	label := fmt.Sprintf(" (interval %s, user chunk %d of %d)", c.interval(), s.ui+1, len(s.chunks))
	p, err := s.api.list(ctx, appointmentsPath, q, s.pageNo, label)
	if err != nil {
		return false, fmt.Errorf("appointments page %d%s: %w", s.pageNo, label, err)
	}
	s.cellBytes += int64(p.bytes)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := make([]string, len(p.Entities))
	kids := make([]chan childPages, len(p.Entities))
	next := 0
	start := func() {
		i := next
		next++
		id, f := s.appointment(p, i, p.Entities[i])
		s.cut(in)
		if f != written {
			return
		}
		s.written++
		ch := make(chan childPages, 1)
		ids[i], kids[i] = id, ch
		go func() { ch <- s.fetchChildren(ctx, id) }()
	}
	for i := range p.Entities {
		for next < len(p.Entities) && next < i+s.o.Concurrency {
			start()
		}
		if kids[i] == nil {
			continue
		}
		if err := s.children(ids[i], <-kids[i]); err != nil {
			cancel()
			for _, ch := range kids[i+1 : next] {
				if ch != nil {
					<-ch // let the others stop before the run fails
				}
			}
			return false, err
		}
		s.cut(in)
	}
	return p.more(s.o.PageSize), nil
}

// childPages are the status history and annotations pages of one
// appointment, as read, and the error that stopped the reading.
type childPages struct {
	statuses, annotations []*page
	err                   error
}

// fetchChildren reads the status history and then the annotations of
// appointment id, every page, stopping at the first error.
func (s *source) fetchChildren(ctx context.Context, id string) childPages {
	var k childPages
	esc := url.PathEscape(id)
	k.err = s.api.each(ctx, fmt.Sprintf(statusesPath, esc), func(p *page) { k.statuses = append(k.statuses, p) })
	if k.err == nil {
		k.err = s.api.each(ctx, fmt.Sprintf(annotationsPath, esc), func(p *page) { k.annotations = append(k.annotations, p) })
	}
	return k
}

// children stages the status history and the annotations of appointment
// id as read. A 404 means the appointment was deleted after it was
// listed: its row stays (it was received), the run goes on, and the
// report counts it.
func (s *source) children(id string, k childPages) error {
	seen := map[string]bool{}
	for _, p := range k.statuses {
		s.cellBytes += int64(p.bytes)
		for i, raw := range p.Entities {
			s.status(p, i, id, raw, seen)
		}
	}
	clear(seen)
	for _, p := range k.annotations {
		s.cellBytes += int64(p.bytes)
		for i, raw := range p.Entities {
			s.annotation(p, i, id, raw, seen)
		}
	}
	err := k.err
	if se, ok := errors.AsType[*httpx.StatusError](err); ok && se.StatusCode == http.StatusNotFound {
		s.gone++
		s.log.Warn("appointment deleted while the run read it; its status history or annotations are incomplete",
			slog.String("path", se.Path), slog.String("vendor_message", se.Message))
		return nil
	}
	return err
}

// cut hands out the batches that reached the batch policy.
func (s *source) cut(in string) {
	for _, b := range s.batchers {
		if b.Full() {
			s.queue = append(s.queue, b.Flush(in))
		}
	}
}

// input names cell c's output files: the same cell, API host and user set
// always give the same name, so a rerun replaces the files.
func (s *source) input(c cell) string {
	return fmt.Sprintf("genesys:%s%s?interval=%s&users=%s", s.o.APIURL, appointmentsPath, c.interval(), s.usersKey)
}

// Inputs lists the pulled cells (the sink replaces their earlier files).
func (s *source) Inputs() []pipeline.InputInfo { return s.inputs }

// Cursors reports the new cursor once every cell was pulled.
func (s *source) Cursors() map[string]string {
	if !s.done {
		return nil
	}
	return map[string]string{CursorName: s.span.cursor}
}

// Report describes the run's requests and windows.
func (s *source) Report() map[string]any {
	st := s.client.Stats()
	return map[string]any{"genesys": map[string]any{
		"requests":             st.Requests,
		"retries":              st.Retries,
		"reauths":              st.Reauths,
		"too_many_requests":    st.TooManyRequests,
		"limiter_wait_ms":      st.LimiterWait.Milliseconds(),
		"retry_wait_ms":        st.RetryWait.Milliseconds(),
		"retry_budget_used":    s.budget.Used(),
		"windows":              len(s.inputs),
		"requested":            s.span.from.Format(time.DateOnly) + "/" + s.span.to.Format(time.DateOnly),
		"pulled":               cell{s.cells[0].Start, s.cells[len(s.cells)-1].End}.interval(),
		"appointments_written": s.written,
		"appointments_gone":    s.gone,
		"users_listed":         s.listed,
	}}
}

func (s *source) Close() error {
	for i := range s.queue {
		s.queue[i].Release()
	}
	s.queue = nil
	for _, b := range s.batchers {
		b.Release()
	}
	s.batchers = nil
	return s.client.Close(context.Background())
}
