package csvin

import (
	"encoding/binary"
	"math/bits"
)

// SWAR ("SIMD within a register") constants: the fast path looks at a line
// 8 bytes at a time.
const (
	ones = 0x0101010101010101
	lo7  = 0x7f7f7f7f7f7f7f7f
	hi   = 0x8080808080808080
)

// zeroBytes sets the high bit of each byte of the result whose byte in x is
// zero, and no other bit. Unlike the shorter (x-ones)&^x&hi, it is exact:
// the addition cannot carry into the next byte.
func zeroBytes(x uint64) uint64 {
	return ^((x&lo7 + lo7) | x) & hi
}

// split appends the fields of line, cut at each comma, to fields, looking at
// 8 bytes a step. It gives up, returning quoted, at the first '"': the line
// then needs the quote-aware parser. ascii reports that no byte of line is
// 0x80 or above, so that the caller can skip UTF-8 validation. Each field's
// capacity ends at its length, so appending to one cannot overwrite the
// next.
func split(fields [][]byte, line []byte, comma byte) (out [][]byte, quoted, ascii bool) {
	cw, qw := ones*uint64(comma), ones*uint64('"')
	var acc uint64
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64(line[i:])
		acc |= w
		if zeroBytes(w^qw) != 0 {
			return fields, true, false
		}
		for m := zeroBytes(w ^ cw); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, line[start:j:j])
			start = j + 1
		}
	}
	if i < len(line) {
		w := load(line, i) // the last 1..7 bytes
		acc |= w
		if zeroBytes(w^qw) != 0 {
			return fields, true, false
		}
		for m := zeroBytes(w ^ cw); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, line[start:j:j])
			start = j + 1
		}
	}
	return append(fields, line[start:]), false, acc&hi == 0
}

// load returns the 8 bytes of b at i, little-endian, padded with zeros past
// the end of b. A zero byte matches neither a quote nor a comma (Options
// never allow a zero comma).
func load(b []byte, i int) uint64 {
	if i+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[i:])
	}
	var w uint64
	for k := len(b) - 1; k >= i; k-- {
		w = w<<8 | uint64(b[k])
	}
	return w
}
