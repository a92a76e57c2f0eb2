package livevox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/pull"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// source pulls one snapshot: the agent skills list first, then the agent
// list page by page, reading each listed agent before the next page. The
// reads of up to Concurrency agents of a page are in flight at once (the
// rate limit still spaces them); their answers are written in list order,
// so the tables are the same whatever the concurrency.
type source struct {
	cfg      pipeline.SourceConfig
	o        *Options
	cl       *client
	input    string // names every output file of the snapshot
	snapshot int64  // snapshot_at, epoch ms
	batchers []*rowbuild.Batcher

	skills, agents lister
	pending        []json.RawMessage // listed agents not read yet
	pendingAt      int               // index of pending[0] on its page
	pendingSrc     string            // the page they came from
	jobs           []*agentJob       // listed agents taken from pending, in order, reads started
	ctx            context.Context   // the reads' context: the run's, until Close
	cancel         context.CancelFunc
	queue          []pipeline.Batch
	finished       bool

	seenAgents map[int64]bool
	seenSkills map[int64]bool
	counts     struct {
		agentsListed, agentsRead, agentsGone, dupAgents, dupSkills, emptyPages int64
	}
}

func (s *source) Tables() []pipeline.Table { return Tables }

// Inputs names the snapshot, so a rerun of the same snapshot replaces its
// files.
func (s *source) Inputs() []pipeline.InputInfo {
	return []pipeline.InputInfo{{Name: s.input, Bytes: s.cl.bytes.Load()}}
}

// Report returns the HTTP counters and the pull's own counts.
func (s *source) Report() map[string]any {
	r := s.cl.stats()
	r["snapshot_at"] = time.UnixMilli(s.snapshot).UTC().Format(snapshotLayout)
	r["agent_pages"] = s.agents.page
	r["skill_pages"] = s.skills.page
	r["agents_listed"] = s.counts.agentsListed
	r["agents_read"] = s.counts.agentsRead
	r["agents_gone_before_read"] = s.counts.agentsGone
	r["duplicate_agents"] = s.counts.dupAgents
	r["duplicate_skills"] = s.counts.dupSkills
	r["empty_pages_with_next"] = s.counts.emptyPages
	r["rate_limit"] = rateLimitString(s.o)
	return r
}

func rateLimitString(o *Options) string {
	if len(o.RateLimit) == 0 {
		return "none"
	}
	out := ""
	for i, w := range o.RateLimit {
		if i > 0 {
			out += ","
		}
		out += strconv.Itoa(w.Requests) + "/" + w.Per.String()
	}
	return out
}

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	return pull.Next(ctx, "", &s.queue, &s.finished, s.step)
}

// step makes one request's worth of progress.
func (s *source) step(ctx context.Context) error {
	switch {
	case !s.skills.done:
		p, err := s.cl.next(ctx, &s.skills)
		if err != nil {
			return err
		}
		s.notEmpty(p)
		for i, raw := range p.items {
			s.skill(p.source, int64(i), raw)
		}
	case len(s.jobs) > 0 || len(s.pending) > 0:
		s.startAgents(ctx)
		j := s.jobs[0]
		s.jobs = s.jobs[1:]
		if err := s.agent(j); err != nil {
			return err
		}
	case !s.agents.done:
		p, err := s.cl.next(ctx, &s.agents)
		if err != nil {
			return err
		}
		s.notEmpty(p)
		s.pending, s.pendingAt, s.pendingSrc = p.items, 0, p.source
		s.counts.agentsListed += int64(len(p.items))
		return nil
	default:
		s.cut(true)
		s.finished = true
		return nil
	}
	s.cut(false)
	return nil
}

func (s *source) notEmpty(p page) {
	if p.empty {
		s.counts.emptyPages++
		s.cl.log.Warn("livevox: empty page with a next link; the list ends there", slog.String("request", p.source))
	}
}

// cut queues the batches that are full, or every pending one.
func (s *source) cut(all bool) {
	for _, b := range s.batchers {
		if b.Pending() && (all || b.Full()) {
			s.queue = append(s.queue, b.Flush(s.input))
		}
	}
}

// skill writes, merges or rejects one List Agent Skills entry.
func (s *source) skill(src string, at int64, raw []byte) {
	b := s.batchers[tSkill]
	o, err := parseObj(raw)
	if err != nil {
		b.Reject(reject(src, at, "", "", err, raw))
		return
	}
	id, st := stageSkill(b.B, s.snapshot, s.cl.clientID(), o)
	switch {
	case st.err != nil:
		b.Reject(reject(src, at, "", st.col, st.err, raw))
	case s.seenSkills[id]:
		s.counts.dupSkills++
		b.Merge()
	default:
		s.seenSkills[id] = true
		b.Commit(len(raw))
	}
}

// agentJob is one listed agent: rejected, merged, or read.
type agentJob struct {
	src  string // the list page it came from
	at   int64  // its index on the page
	raw  []byte
	item obj
	id   int64
	col  string // the rejected column, when err is set
	err  error  // why the listed entry is rejected
	dup  bool   // listed before: merged
	read chan agentRead
}

// agentRead is what an agent's reads returned.
type agentRead struct {
	body []byte // Read Agent
	err  error
	rel  []byte // Get Agent Related Objects (call_centers), sent after a readable Read Agent
	rerr error
}

// startAgents takes listed agents from pending, in order, until
// Concurrency are in flight or waiting to be written, and starts the reads
// of those to read. The reads run under the first ctx (the run's) until
// Close cancels them.
func (s *source) startAgents(ctx context.Context) {
	if s.cancel == nil {
		s.ctx, s.cancel = context.WithCancel(ctx)
	}
	for len(s.pending) > 0 && len(s.jobs) < s.o.Concurrency {
		j := &agentJob{src: s.pendingSrc, at: int64(s.pendingAt), raw: s.pending[0]}
		s.pending = s.pending[1:]
		s.pendingAt++
		s.jobs = append(s.jobs, j)
		if j.item, j.err = parseObj(j.raw); j.err != nil {
			continue
		}
		idRaw := j.item.value("id")
		if idRaw == nil {
			j.col, j.err = "id", errMissing
			continue
		}
		if j.id, j.err = asID(idRaw); j.err != nil {
			j.col = "id"
			continue
		}
		if s.seenAgents[j.id] {
			j.dup = true // listed again: the list shifted between pages
			continue
		}
		s.seenAgents[j.id] = true
		j.read = make(chan agentRead, 1)
		go func(ctx context.Context, id int64, out chan<- agentRead) {
			out <- s.readAgent(ctx, id)
		}(s.ctx, j.id, j.read)
	}
}

// readAgent sends Read Agent and, with call_centers, Get Agent Related
// Objects once the read returned an object.
func (s *source) readAgent(ctx context.Context, id int64) agentRead {
	var r agentRead
	resource := "agents/" + strconv.FormatInt(id, 10)
	r.body, r.err = s.cl.get(ctx, resource, nil)
	if r.err != nil || !s.o.CallCenters {
		return r
	}
	if _, err := parseObj(r.body); err != nil {
		return r
	}
	r.rel, r.rerr = s.cl.get(ctx, resource+"/related", nil)
	return r
}

// agent writes one listed agent's row and assignments from its reads.
func (s *source) agent(j *agentJob) error {
	b := s.batchers[tAgent]
	src, at, raw, item, id := j.src, j.at, j.raw, j.item, j.id
	if j.err != nil {
		b.Reject(reject(src, at, "", j.col, j.err, raw))
		return nil
	}
	if j.dup {
		s.counts.dupAgents++
		b.Merge()
		return nil
	}
	r := <-j.read
	j.read = nil
	resource := "agents/" + strconv.FormatInt(id, 10)
	body, err := r.body, r.err
	if notFound(err) {
		// Deleted between its list page and its read: nothing of it is
		// left to decode. Not a reject (its data is not bad) but a count
		// in the report, and the next run's snapshot no longer lists it.
		s.counts.agentsGone++
		if s.cfg.Logger != nil {
			s.cfg.Logger.Warn("agent deleted before it was read; it is not in this snapshot", "agent_id", id)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("livevox: read agent: %w", err)
	}
	s.counts.agentsRead++
	readSrc := "GET " + s.cl.path(resource)
	read, err := parseObj(body)
	if err != nil {
		b.Reject(reject(readSrc, 0, "", "", err, body))
		return nil
	}
	st := stageAgent(b.B, s.snapshot, s.cl.clientID(), id, agentFields{item: item, read: read})
	ok := st.err == nil
	if ok {
		b.Commit(len(body))
	} else {
		b.Reject(reject(readSrc, 0, "", st.col, st.err, body))
	}
	s.assignments(readSrc, id, read, "assignedAgentSkill", tSkillAssign, ok)
	s.assignments(readSrc, id, read, "assignedService", tServiceAssign, ok)
	if s.o.CallCenters {
		return s.callCenters(id, ok, r.rel, r.rerr)
	}
	return nil
}

// callCenters writes an agent's call centers from its related objects
// (its services come from Read Agent already).
func (s *source) callCenters(id int64, agentOK bool, body []byte, err error) error {
	resource := "agents/" + strconv.FormatInt(id, 10) + "/related"
	if notFound(err) {
		s.counts.agentsGone++ // deleted since its read
		return nil
	}
	if err != nil {
		return fmt.Errorf("livevox: read agent related objects: %w", err)
	}
	src := "GET " + s.cl.path(resource)
	rel, err := parseObj(body)
	if err != nil {
		s.batchers[tCallCenter].Reject(reject(src, 0, "", "", err, body))
		return nil
	}
	s.assignments(src, id, rel, "callCenter", tCallCenter, agentOK)
	return nil
}

// assignments writes the elements of an agent's assignedAgentSkill or
// assignedService array, or rejects them with the agent.
func (s *source) assignments(src string, agent int64, read obj, key string, table int, agentOK bool) {
	b := s.batchers[table]
	raw := read.value(key)
	if raw == nil {
		return
	}
	elems, err := asArray(raw)
	if err != nil {
		b.Reject(reject(src, -1, "", key, err, raw))
		return
	}
	withProf := table == tSkillAssign
	seen := map[int64]int64{} // id -> proficiency
	for i, e := range elems {
		where := fmt.Sprintf("%s[%d]", key, i)
		if !agentOK {
			b.Reject(reject(src, int64(i), where, "", errAgentRejected, e))
			continue
		}
		a, st := stageAssignment(b.B, s.snapshot, agent, e, withProf)
		p, dup := seen[a.id]
		switch {
		case st.err != nil:
			b.Reject(reject(src, int64(i), where, st.col, st.err, e))
		case dup && p != a.proficiency:
			b.Reject(reject(src, int64(i), where, "proficiency", errConflict, e))
		case dup:
			b.Merge()
		default:
			seen[a.id] = a.proficiency
			b.Commit(len(e))
		}
	}
}

func (s *source) Close() error {
	if s.cancel != nil {
		s.cancel()
		for _, j := range s.jobs {
			if j.read != nil {
				<-j.read // every read has stopped before the logout
			}
		}
		s.jobs = nil
	}
	for i := range s.queue {
		s.queue[i].Release()
	}
	s.queue = nil
	for _, b := range s.batchers {
		b.Release()
	}
	s.batchers = nil
	s.cl.close(s.o.Timeout)
	return nil
}
