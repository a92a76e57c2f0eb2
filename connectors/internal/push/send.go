package push

import (
	"fmt"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// WireField is an entity field and the column or key it has on the wire
// ("" for fields that are not sent as such: file paths, bodies).
type WireField struct {
	pipeline.Field
	Wire string
}

// EntityOf makes an entity of wire fields.
func EntityOf(name, table, doc string, key []string, fields []WireField) pipeline.Entity {
	e := pipeline.Entity{Name: name, Table: table, Doc: doc, Key: key}
	for _, f := range fields {
		e.Fields = append(e.Fields, f.Field)
	}
	return e
}

// SendPlanner plans a target whose state cannot be read back: every valid
// record becomes a send, unless the job's ledger says an earlier push sent
// it.
type SendPlanner struct {
	Entity pipeline.Entity
	// Wire writes a record's cells, or says why it is invalid; Check has
	// passed by then.
	Wire func(values map[string]any) (pipeline.Wire, error)
	// Key names the record in the plan and the ledger.
	Key func(wire pipeline.Wire) string
	// Hash is the content hash (default: Hash of the wire cells).
	Hash func(wire pipeline.Wire) string
	// Skip says whether a ledger entry means the record is not sent again,
	// and why.
	Skip func(wire pipeline.Wire, hash string, e pipeline.LedgerEntry) (reason string, skip bool)
}

// prepared is a record checked, written and hashed.
type prepared struct {
	wire pipeline.Wire
	key  string
	hash string
	err  error
}

func (s SendPlanner) prepare(r pipeline.Record) (p prepared) {
	if p.err = Check(s.Entity, r.Values); p.err == nil {
		p.wire, p.err = s.Wire(r.Values)
	}
	if p.err != nil {
		return p
	}
	p.key = s.Key(p.wire)
	if s.Hash != nil {
		p.hash = s.Hash(p.wire)
	} else {
		p.hash = Hash(p.wire)
	}
	return p
}

// judge makes the change of a prepared record: invalid, a key seen before
// (seen maps keys to their first origin), skip (the ledger) or send.
func (s SendPlanner) judge(pr prepared, r pipeline.Record, led pipeline.Ledger, seen map[string]string) pipeline.Change {
	c := pipeline.Change{Entity: s.Entity.Name, Origin: r.Origin}
	if pr.err != nil {
		c.Action, c.Reason = pipeline.ActionInvalid, pr.err.Error()
		return c
	}
	c.Key = pr.key
	if first, dup := seen[c.Key]; dup {
		c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf("%s appears twice in the input (first at %s)", c.Key, first)
		return c
	}
	seen[c.Key] = r.Origin
	c.Wire, c.Action, c.Hash = pr.wire, pipeline.ActionSend, pr.hash
	if e, ok := led.Lookup(s.Entity.Name, c.Key); ok {
		if reason, skip := s.Skip(pr.wire, c.Hash, e); skip {
			c.Action, c.Reason = pipeline.ActionSkip, reason
		}
	}
	return c
}

// Plan makes one change per record, in order: invalid (with the reason),
// skip (the ledger) or send. A key given twice makes the second invalid.
// Records are checked, written and hashed on every core (Wire, Key and
// Hash must be safe to call at once); keys are then judged in order.
func (s SendPlanner) Plan(recs []pipeline.Record, led pipeline.Ledger) *pipeline.Plan {
	prep := make([]prepared, len(recs))
	pipeline.Parallel(len(recs), 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			prep[i] = s.prepare(recs[i])
		}
	})
	p := &pipeline.Plan{CreatedAt: time.Now().UTC(), Changes: make([]pipeline.Change, len(recs))}
	seen := make(map[string]string, len(recs))
	for i, r := range recs {
		p.Changes[i] = s.judge(prep[i], r, led, seen)
		p.Changes[i].Seq = i
	}
	return p
}

// Stream plans records one at a time as the sources read them, each
// exactly as Plan would in the same order: a push then holds changes, not
// records (pipeline.RecordPlanner).
func (s SendPlanner) Stream(led pipeline.Ledger) pipeline.RecordPlan {
	return &sendStream{s: s, led: led, seen: map[string]string{}}
}

type sendStream struct {
	s    SendPlanner
	led  pipeline.Ledger
	seen map[string]string
}

func (st *sendStream) Prepare(r pipeline.Record) any { return st.s.prepare(r) }

func (st *sendStream) Judge(r pipeline.Record, p any) pipeline.Change {
	return st.s.judge(p.(prepared), r, st.led, st.seen)
}

// CutWhole is a pipeline.WindowCutter's cut for a target that sends n
// changes an upload: the changes before the last sends that make no whole
// upload (those wait for the next window), all of them when the sends make
// whole uploads or there are none, and 0 when they make no whole upload.
func CutWhole(changes []pipeline.Change, n int) int {
	sends := 0
	for _, c := range changes {
		if Writes(c) {
			sends++
		}
	}
	carry := sends % n
	if sends > 0 && carry == sends {
		return 0
	}
	for i := len(changes) - 1; carry > 0; i-- {
		if Writes(changes[i]) {
			if carry--; carry == 0 {
				return i
			}
		}
	}
	return len(changes)
}
