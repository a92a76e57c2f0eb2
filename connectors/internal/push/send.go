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
	Wire func(values map[string]any) (map[string]string, error)
	// Key names the record in the plan and the ledger.
	Key func(wire map[string]string) string
	// Hash is the content hash (default: Hash of the wire cells).
	Hash func(wire map[string]string) string
	// Skip says whether a ledger entry means the record is not sent again,
	// and why.
	Skip func(wire map[string]string, hash string, e pipeline.LedgerEntry) (reason string, skip bool)
}

// Plan makes one change per record, in order: invalid (with the reason),
// skip (the ledger) or send. A key given twice makes the second invalid.
func (s SendPlanner) Plan(recs []pipeline.Record, led pipeline.Ledger) *pipeline.Plan {
	p := &pipeline.Plan{CreatedAt: time.Now().UTC()}
	seen := map[string]string{}
	for _, r := range recs {
		c := pipeline.Change{Seq: len(p.Changes), Entity: s.Entity.Name, Origin: r.Origin}
		err := Check(s.Entity, r.Values)
		var wire map[string]string
		if err == nil {
			wire, err = s.Wire(r.Values)
		}
		if err != nil {
			c.Action, c.Reason = pipeline.ActionInvalid, err.Error()
			p.Changes = append(p.Changes, c)
			continue
		}
		c.Key = s.Key(wire)
		if first, dup := seen[c.Key]; dup {
			c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf("%s appears twice in the input (first at %s)", c.Key, first)
			p.Changes = append(p.Changes, c)
			continue
		}
		seen[c.Key] = r.Origin
		c.Wire, c.Action = wire, pipeline.ActionSend
		if s.Hash != nil {
			c.Hash = s.Hash(wire)
		} else {
			c.Hash = Hash(wire)
		}
		if e, ok := led.Lookup(s.Entity.Name, c.Key); ok {
			if reason, skip := s.Skip(wire, c.Hash, e); skip {
				c.Action, c.Reason = pipeline.ActionSkip, reason
			}
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}
