package csvin

import (
	"bytes"
	"unicode/utf8"
)

// validUTF8 reports whether the current record, buf[rec:end], is valid
// UTF-8. Calling utf8.Valid for each short record costs more than the
// check itself, so it checks ahead in bulk, up to the last line end in the
// buffer, and remembers in valid how far the input is known to be good:
// most records need no check of their own. A line break never falls inside
// a valid UTF-8 sequence, so checking many lines at once gives the same
// answer for each as checking it alone.
func (r *Reader) validUTF8(end int) bool {
	if end <= r.valid {
		return true
	}
	from, to := max(r.valid, r.rec), end
	if i := bytes.LastIndexByte(r.buf[end:r.end], '\n'); i >= 0 {
		to = end + i + 1
	}
	if utf8.Valid(r.buf[from:to]) {
		r.valid = to
		return true
	}
	bad := from + firstInvalid(r.buf[from:to])
	r.valid = from + bytes.LastIndexByte(r.buf[from:bad], '\n') + 1
	return bad >= end
}

// firstInvalid returns the offset of the first byte of b that does not
// start a valid UTF-8 sequence, or -1.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		c, n := utf8.DecodeRune(b[i:])
		if c == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// invalidUTF8 reports raw, a syntactically valid record starting on line
// that holds invalid UTF-8.
func (r *Reader) invalidUTF8(line int64, raw []byte) (Record, error) {
	off := max(firstInvalid(raw), 0)
	err := newRecordError(InvalidUTF8, line, raw, off, fieldAt(raw, off, r.opts.Comma))
	return Record{Line: line, Raw: raw}, err
}
