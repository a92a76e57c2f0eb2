package maestroqa

import "math"

// Sessions, coaching points and to-dos are keyed by _id. The same point or
// to-do is repeated under every session it belongs to, and overlapping
// export windows repeat sessions too, so each is written once per run.
//
// An entity remembers, per _id and never more than that, how many copies
// Prescan and Decode have seen, which copy is to be written, and the
// updatedAt and fingerprint of the copy written (or chosen). Which copy is
// written:
//
//   - after Prescan has seen every copy: the valid copy with the latest
//     updatedAt (a null updatedAt is oldest; on a tie the first copy);
//   - without Prescan (one pass, as over an API stream): the first valid
//     copy. Later copies are merged and the run report counts the ones
//     whose content differs from the written copy and the ones with a later
//     updatedAt ("newer_duplicates_not_written").
//
// A copy that is written is never written again, whatever a later Prescan
// finds, so misuse can cost freshness but never duplicate a row.

// noDate orders a copy without updatedAt before every dated copy.
const noDate = math.MinInt64

type copyState struct {
	planned int32 // copies Prescan saw
	decoded int32 // copies Decode saw
	winner  int32 // copy (0-based, run order) to write; -1 when none chosen
	written bool
	updated int64  // updatedAt of the chosen or written copy
	sum     uint64 // fingerprint of the chosen or written copy
}

// fate is what happens to one copy of a record.
type fate uint8

const (
	write fate = iota
	merge
	reject
)

type entity struct {
	seen map[string]copyState

	merged    int64 // copies folded into the written copy
	differing int64 // of those, copies whose content differs from it
	newer     int64 // of those, copies with a later updatedAt than it
}

func newEntity() entity { return entity{seen: map[string]copyState{}} }

func (e *entity) get(id string) copyState {
	if s, ok := e.seen[id]; ok {
		return s
	}
	return copyState{winner: -1, updated: noDate}
}

// plan records a copy seen by Prescan; valid says whether it would be
// written.
func (e *entity) plan(id string, valid bool, updated int64, sum uint64) {
	s := e.get(id)
	occ := s.planned
	s.planned++
	if valid && !s.written && (s.winner < 0 || updated > s.updated) {
		s.winner, s.updated, s.sum = occ, updated, sum
	}
	e.seen[id] = s
}

// decide returns the fate of a copy seen by Decode.
func (e *entity) decide(id string, valid bool, updated int64, sum uint64) fate {
	s := e.get(id)
	occ := s.decoded
	s.decoded++
	defer func() { e.seen[id] = s }()
	if !valid {
		return reject
	}
	if !s.written && (s.winner < 0 || occ >= s.winner) {
		s.written, s.updated, s.sum = true, updated, sum
		return write
	}
	e.merged++
	if sum != s.sum {
		e.differing++
	}
	if s.written && updated > s.updated {
		e.newer++
	}
	return merge
}

func (e *entity) report() map[string]int64 {
	return map[string]int64{"ids": int64(len(e.seen)), "duplicates_merged": e.merged,
		"differing_duplicates": e.differing, "newer_duplicates_not_written": e.newer}
}
