package push

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"

	"github.com/ccetl/ccetl/pipeline"
)

// Hash is a record's content hash: sha256 over its wire cells in key order,
// so the same cells always hash alike whatever the map's order. Ledgers
// keep it: its bytes must never change.
func Hash(wire pipeline.Wire) string {
	var bb [1024]byte
	buf := bb[:0]
	for k, v := range wire.Sorted() {
		buf = append(buf, k...)
		buf = append(buf, 0)
		buf = append(buf, v...)
		buf = append(buf, 0)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// Diff lists the fields whose value in want differs from have, in the order
// of fields. A field want leaves empty is not a change: targets that never
// blank a stored value (Calabrio's identifiers) keep it, so neither does the
// plan claim to.
func Diff(fields []string, have map[string]string, want pipeline.Wire) []pipeline.FieldChange {
	var out []pipeline.FieldChange
	for _, f := range fields {
		w, ok := want.Lookup(f)
		if !ok || w == "" {
			continue
		}
		if have[f] != w {
			out = append(out, pipeline.FieldChange{Field: f, Old: have[f], New: w})
		}
	}
	return out
}

// Current is one record the target holds, in the same wire terms as the
// changes a plan sends.
type Current struct {
	ID   string
	Wire map[string]string
}

// Upsert makes the change for one wanted record of an upsert-by-key target:
// create when the target holds no record with the key, unchanged when every
// compared field is equal, otherwise update with the fields that differ.
// compare lists the fields the target stores (the others are write-only,
// such as a password).
func Upsert(c pipeline.Change, have *Current, compare []string) pipeline.Change {
	c.Hash = Hash(c.Wire)
	if have == nil {
		c.Action = pipeline.ActionCreate
		return c
	}
	c.TargetID = have.ID
	c.Fields = Diff(compare, have.Wire, c.Wire)
	if len(c.Fields) == 0 {
		c.Action = pipeline.ActionUnchanged
	} else {
		c.Action = pipeline.ActionUpdate
	}
	return c
}

// Writes reports whether a change needs a request to the target.
func Writes(c pipeline.Change) bool {
	switch c.Action {
	case pipeline.ActionCreate, pipeline.ActionUpdate, pipeline.ActionDelete, pipeline.ActionSend:
		return true
	}
	return false
}

// Batches cuts the changes that write into batches of at most maxRecords
// changes and about maxBytes bytes (as size measures them; a single change
// over maxBytes makes a batch of its own), keeping their order. The
// changes of each batch are of one entity.
func Batches(changes []pipeline.Change, maxRecords int, maxBytes int64, size func(pipeline.Change) int64) [][]pipeline.Change {
	var out [][]pipeline.Change
	var cur []pipeline.Change
	var bytes int64
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
	}
	for _, c := range changes {
		if !Writes(c) {
			continue
		}
		n := int64(0)
		if size != nil {
			n = size(c)
		}
		if len(cur) > 0 && (cur[0].Entity != c.Entity || (maxRecords > 0 && len(cur) >= maxRecords) ||
			(maxBytes > 0 && bytes+n > maxBytes)) {
			flush()
		}
		cur = append(cur, c)
		bytes += n
	}
	flush()
	return out
}

// Fingerprint hashes a target's current records (by key) for Plan.State:
// the same state always gives the same fingerprint.
func Fingerprint(state map[string]Current) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(state)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(state[k].ID))
		h.Write([]byte{0})
		h.Write([]byte(Hash(pipeline.WireMap(state[k].Wire))))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
