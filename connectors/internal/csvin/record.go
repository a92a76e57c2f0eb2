package csvin

import (
	"bytes"
	"fmt"
)

// Record is one CSV record. It aliases the Reader's buffers: Fields and Raw
// are valid only until the next call to Next. Copy what has to be kept.
type Record struct {
	// Fields are the unquoted, unescaped values: `"a""b"` gives `a"b`.
	// Line terminators inside quoted fields are kept as they are in the
	// input ("\r\n" stays "\r\n").
	Fields [][]byte
	// Line is the 1-based line on which the record starts. Blank lines and
	// lines inside quoted fields are counted.
	Line int64
	// Raw is the record's bytes as in the input, without its line
	// terminator, for rejects output.
	Raw []byte
}

// CheckFields reports an error matching ErrFieldCount when rec does not
// have want fields. The Reader returns records with however many fields
// they have; a decoder calls this with the header's field count.
func (rec Record) CheckFields(want int) error {
	if len(rec.Fields) == want {
		return nil
	}
	return fmt.Errorf("line %d: %w: got %d, want %d", rec.Line, ErrFieldCount, len(rec.Fields), want)
}

// position returns the line and 1-based byte column of raw[off] in a record
// that starts on line.
func position(line int64, raw []byte, off int) (int64, int) {
	before := raw[:min(off, len(raw))]
	n := bytes.Count(before, []byte{'\n'})
	return line + int64(n), off - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// fieldAt returns the 0-based index of the field holding raw[off], for a
// record whose quotes are well formed: commas inside quotes do not count,
// and a doubled quote toggles twice.
func fieldAt(raw []byte, off int, comma byte) int {
	field, quoted := 0, false
	for _, c := range raw[:min(off, len(raw))] {
		switch {
		case c == '"':
			quoted = !quoted
		case c == comma && !quoted:
			field++
		}
	}
	return field
}
