package pipeline

import (
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"
)

// RowError says why one input row could not be used. It is shaped like
// encoding/csv.ParseError. Its message never carries a cell value: only the
// source, the position, the column name and the reason.
type RowError struct {
	Source string // input path, URL or request
	Line   int64  // 1-based line of the row's start (text inputs), 0 if unknown
	Record int64  // 0-based record index (JSON inputs and API pages), -1 if unused
	Column string // column or field name, "" for the whole row
	Err    error
}

func (e *RowError) Error() string {
	pos := e.Source
	switch {
	case e.Line > 0:
		pos = fmt.Sprintf("%s:%d", e.Source, e.Line)
	case e.Record >= 0:
		pos = fmt.Sprintf("%s[%d]", e.Source, e.Record)
	}
	if e.Column != "" {
		return fmt.Sprintf("%s: column %s: %v", pos, e.Column, e.Err)
	}
	return fmt.Sprintf("%s: %v", pos, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// Reject is a row that was not written: the error plus the raw record, so a
// fixed record can be replayed. Raw is data, not a message: it goes to the
// rejects output only, never to logs.
type Reject struct {
	RowError
	Raw string
}

// RejectJSON is the JSON-lines shape of a reject in the rejects output.
type RejectJSON struct {
	Table  string `json:"table"`
	Source string `json:"source"`
	Line   int64  `json:"line,omitempty"`
	Record *int64 `json:"record,omitempty"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
	Raw    string `json:"raw"`
	// RawBase64 holds the exact bytes when the raw record is not valid
	// UTF-8 (JSON cannot carry them; Raw then has replacement characters).
	RawBase64 string `json:"raw_base64,omitempty"`
}

// JSON returns the rejects-output form of r.
func (r Reject) JSON(table string) RejectJSON {
	j := RejectJSON{Table: table, Source: r.Source, Line: r.Line, Column: r.Column, Raw: r.Raw}
	if r.Err != nil {
		j.Reason = r.Err.Error()
	}
	if !utf8.ValidString(r.Raw) {
		j.RawBase64 = base64.StdEncoding.EncodeToString([]byte(r.Raw))
	}
	if r.Line <= 0 && r.Record >= 0 {
		rec := r.Record
		j.Record = &rec
	}
	return j
}

// ErrRejectLimit is returned (wrapped) when a run rejects more rows than its
// limit allows.
var ErrRejectLimit = errors.New("reject limit exceeded")

// RejectLimit fails a run past a number or a share of rejected rows. Zero
// values mean no limit of that kind.
type RejectLimit struct {
	MaxCount int64   // fail when rejects exceed this count
	MaxRatio float64 // fail when rejects / rows_in exceeds this ratio (0..1]
}

// Check reports ErrRejectLimit when rejected rows of rowsIn break the limit.
// The ratio is only judged at the end of a run (final=true), so an early bad
// row does not fail a large input.
func (l RejectLimit) Check(rejected, rowsIn int64, final bool) error {
	if l.MaxCount > 0 && rejected > l.MaxCount {
		return fmt.Errorf("%w: %d rejected rows, limit %d", ErrRejectLimit, rejected, l.MaxCount)
	}
	if final && l.MaxRatio > 0 && rowsIn > 0 && float64(rejected)/float64(rowsIn) > l.MaxRatio {
		return fmt.Errorf("%w: %d of %d rows rejected (%.2f%%), limit %.2f%%", ErrRejectLimit,
			rejected, rowsIn, 100*float64(rejected)/float64(rowsIn), 100*l.MaxRatio)
	}
	return nil
}
