package csvin

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
)

// quoted parses the record starting on line whose first line, buf[start:stop]
// ('\r' of a CRLF included), holds a quote; nl says whether that line ended
// with a newline.
//
// A record's lines lie together in buf, and line breaks inside quoted
// fields are kept as they are, so every field is a piece of buf, even one
// over several lines, unless it holds doubled quotes: only such fields are
// copied, unescaped, into out. When reading a further line of the record
// slides the record to the front of buf, the fields found so far point to
// the wrong bytes: the record is then parsed again from its start, which
// happens at most once a record and once a buffer refill.
func (r *Reader) quoted(line int64, start, stop int, nl bool) (Record, error) {
	for {
		rec, err := r.parseQuoted(line, start, stop, nl)
		if err != errMoved {
			return rec, err
		}
		r.pos, r.scan, r.line = r.rec, r.rec, line-1
		start, stop, nl, _ = r.nextLine() // buffered, and short enough
	}
}

// errMoved is parseQuoted's internal signal that fill moved the record.
var errMoved = errors.New("csvin: record moved")

// parseQuoted is quoted, giving up with errMoved when fill moved the record.
func (r *Reader) parseQuoted(line int64, start, stop int, nl bool) (Record, error) {
	comma := r.opts.Comma
	cw := ones * uint64(comma)
	fields := r.fields[:0]
	r.out = r.out[:0]
	b := r.buf[start:stop] // the physical line being parsed
	i := 0                 // parse position in b: the start of a field
	for {
		if i >= len(b) || b[i] != '"' {
			// Unquoted field: up to the next comma or the end of the line.
			d := delim(b, i, cw)
			if d < len(b) && b[d] == '"' {
				return r.syntaxError(BareQuote, line, start+len(b), start+d, len(fields))
			}
			if d == len(b) {
				if d > i && b[d-1] == '\r' {
					d--
				}
				return r.finish(line, start+len(b), append(fields, b[i:d:d]))
			}
			fields = append(fields, b[i:d:d])
			i = d + 1
			continue
		}

		// Quoted field: up to a quote that is not doubled.
		open := start + i - r.rec // offset in the record: b changes with the lines
		escaped := false
		i++
		for {
			q := bytes.IndexByte(b[i:], '"')
			if q >= 0 {
				i += q + 1
				if i < len(b) && b[i] == '"' {
					escaped = true
					i++
					continue
				}
				break
			}
			// The field goes on past this line.
			if !nl {
				return r.syntaxError(UnterminatedQuote, line, start+len(b), r.rec+open, len(fields))
			}
			prevEnd := start + len(b) - r.rec // in the record, like open
			moves := r.moves
			var err error
			start, stop, nl, err = r.nextLine()
			switch {
			case err == errTooLong:
				return r.tooLong(line)
			case err == io.EOF:
				return r.syntaxError(UnterminatedQuote, line, r.rec+prevEnd, r.rec+open, len(fields))
			case err != nil:
				r.err = err
				return Record{}, err
			case r.moves != moves && len(fields) > 0:
				return Record{}, errMoved
			}
			b, i = r.buf[start:stop], 0
		}
		if escaped {
			fields = append(fields, r.unescape(r.rec+open+1, start+i-1))
		} else {
			fields = append(fields, r.buf[r.rec+open+1:start+i-1:start+i-1])
		}

		// After the closing quote: a comma, the end of the line, or an error.
		switch {
		case i == len(b) || i == len(b)-1 && b[i] == '\r':
			return r.finish(line, start+len(b), fields)
		case b[i] == comma:
			i++
		default:
			return r.syntaxError(TextAfterQuote, line, start+len(b), start+i, len(fields)-1)
		}
	}
}

// delim returns the index of the first comma (repeated in each byte of cw)
// or quote in b at or after i, or len(b). Unquoted fields are short, so 8
// bytes a step without a call beats two calls of bytes.IndexByte.
func delim(b []byte, i int, cw uint64) int {
	for ; i < len(b); i += 8 {
		w := load(b, i)
		if m := zeroBytes(w^cw) | zeroBytes(w^(ones*'"')); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	return len(b)
}

// unescape copies buf[from:to], the inside of a quoted field that holds
// doubled quotes, to out, keeping one quote of each pair. The result stays
// valid when out grows later: append leaves the old array as it was.
func (r *Reader) unescape(from, to int) []byte {
	out := r.out
	o := len(out)
	src := r.buf[from:to]
	for {
		q := bytes.IndexByte(src, '"')
		if q < 0 {
			out = append(out, src...)
			break
		}
		out = append(out, src[:q+1]...)
		src = src[q+2:]
	}
	r.out = out
	return out[o:len(out):len(out)]
}

// recordRaw returns the record up to buf[end] without a final '\r'.
func (r *Reader) recordRaw(end int) []byte {
	raw := r.buf[r.rec:end:end]
	if n := len(raw); n > 0 && raw[n-1] == '\r' {
		raw = raw[: n-1 : n-1]
	}
	return raw
}

// finish returns the record parsed by quoted, whose lines end at buf[end],
// after checking that it is valid UTF-8.
func (r *Reader) finish(line int64, end int, fields [][]byte) (Record, error) {
	r.fields = fields
	raw := r.recordRaw(end)
	if !r.validUTF8(r.rec + len(raw)) {
		return r.invalidUTF8(line, raw)
	}
	return Record{Fields: fields, Line: line, Raw: raw}, nil
}

// syntaxError reports the record parsed by quoted, whose lines end at
// buf[end], for its byte buf[at] in the given field.
func (r *Reader) syntaxError(kind Kind, line int64, end, at, field int) (Record, error) {
	raw := r.recordRaw(end)
	return Record{Line: line, Raw: raw}, newRecordError(kind, line, raw, at-r.rec, field)
}
