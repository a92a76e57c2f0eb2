package state

import (
	"slices"
	"time"
)

// State is one job's durable progress. Load returns it, the job changes it
// as its data commits, and Commit stores it.
type State struct {
	Job string `json:"job"`
	// Revision counts commits; Committed and Holder describe the last one.
	Revision  int64     `json:"revision"`
	Committed time.Time `json:"committed,omitzero"`
	Holder    string    `json:"holder,omitempty"`
	// Cursors are named positions a source resumes from (a timestamp, a
	// page token), as the source formats them.
	Cursors map[string]string `json:"cursors,omitempty"`
	// Processed maps an input object's name (for example its s3:// URL) to
	// the ETag it was processed at. An object replaced since has another
	// ETag and counts as new.
	Processed map[string]string `json:"processed,omitempty"`
	// Backfill lists the time windows whose data is committed, merged and
	// in order.
	Backfill []Window `json:"backfill,omitempty"`
	// ResetAt is when the state was last reset (`ccetl state reset`):
	// progress a sink recorded with its data before then does not count.
	ResetAt time.Time `json:"reset_at,omitzero"`

	version string // the store version Load read; "" for a new job
}

// Window is the half-open time range [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Cursor returns the named cursor, "" if unset.
func (s *State) Cursor(name string) string { return s.Cursors[name] }

// SetCursor sets the named cursor.
func (s *State) SetCursor(name, value string) {
	if s.Cursors == nil {
		s.Cursors = map[string]string{}
	}
	s.Cursors[name] = value
}

// Seen reports whether the object was processed at this ETag.
func (s *State) Seen(name, etag string) bool {
	e, ok := s.Processed[name]
	return ok && e == etag
}

// MarkProcessed records the object as processed at etag.
func (s *State) MarkProcessed(name, etag string) {
	if s.Processed == nil {
		s.Processed = map[string]string{}
	}
	s.Processed[name] = etag
}

// KeepProcessed drops the processed objects keep rejects (for example those
// no longer listed), so the set does not grow forever.
func (s *State) KeepProcessed(keep func(name string) bool) {
	for name := range s.Processed {
		if !keep(name) {
			delete(s.Processed, name)
		}
	}
}

// MarkDone records the window as committed.
func (s *State) MarkDone(w Window) {
	if !w.Start.Before(w.End) {
		return
	}
	all := append(slices.Clone(s.Backfill), w)
	slices.SortFunc(all, func(a, b Window) int { return a.Start.Compare(b.Start) })
	merged := all[:1]
	for _, w := range all[1:] {
		last := &merged[len(merged)-1]
		if w.Start.After(last.End) {
			merged = append(merged, w)
			continue
		}
		if w.End.After(last.End) {
			last.End = w.End
		}
	}
	s.Backfill = merged
}

// Gaps returns the parts of w not yet committed, in order.
func (s *State) Gaps(w Window) []Window {
	var gaps []Window
	at := w.Start
	for _, d := range s.Backfill {
		if !d.End.After(at) {
			continue
		}
		if !d.Start.Before(w.End) {
			break
		}
		if d.Start.After(at) {
			gaps = append(gaps, Window{Start: at, End: d.Start})
		}
		at = d.End
	}
	if at.Before(w.End) {
		gaps = append(gaps, Window{Start: at, End: w.End})
	}
	return gaps
}

// Done reports whether all of w is committed.
func (s *State) Done(w Window) bool { return len(s.Gaps(w)) == 0 }
