package csvin

import (
	"encoding/binary"
	"unicode/utf8"
)

// isASCII reports whether b holds only bytes below 0x80, 16 bytes a step.
// It lets the common case skip utf8.Valid.
func isASCII(b []byte) bool {
	var acc uint64
	for len(b) >= 16 {
		acc |= binary.LittleEndian.Uint64(b) | binary.LittleEndian.Uint64(b[8:])
		b = b[16:]
	}
	if len(b) >= 8 {
		acc |= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	for _, c := range b {
		acc |= uint64(c)
	}
	return acc&hi == 0
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
