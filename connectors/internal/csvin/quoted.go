package csvin

import (
	"bytes"
	"io"
	"math/bits"
	"unicode/utf8"
)

// span locates one field of a record parsed by quoted: raw[off:end] of the
// record, or, when off is negative, out[^off:end] for a field that had to
// be unescaped. Offsets, not slices, because fill may move the record and
// append may move out; int32 because records are at most 1 GiB.
type span struct{ off, end int32 }

func rawSpan(off, end int) span { return span{int32(off), int32(end)} }

// quoted parses the record starting on line whose first line, buf[start:stop]
// ('\r' of a CRLF included), holds a quote; nl says whether that line ended
// with a newline.
//
// A record's lines lie together in buf, and line breaks inside quoted
// fields are kept as they are, so every field is a piece of the input, even
// one over several lines, unless it holds doubled quotes: only such fields
// are copied, unescaped, into out.
func (r *Reader) quoted(line int64, start, stop int, nl bool) (Record, error) {
	comma := r.opts.Comma
	cw := ones * uint64(comma)
	spans := r.spans[:0]
	r.out = r.out[:0]
	b := r.buf[start:stop] // the physical line being parsed
	base := start - r.rec  // b's offset in the record
	i := 0                 // parse position in b: the start of a field
	for {
		if i >= len(b) || b[i] != '"' {
			// Unquoted field: up to the next comma or the end of the line.
			d := delim(b, i, cw)
			if d < len(b) && b[d] == '"' {
				return r.syntaxError(BareQuote, line, base+len(b), base+d, len(spans))
			}
			if d == len(b) {
				if d > i && b[d-1] == '\r' {
					d--
				}
				spans = append(spans, rawSpan(base+i, base+d))
				return r.finish(line, base+len(b), spans)
			}
			spans = append(spans, rawSpan(base+i, base+d))
			i = d + 1
			continue
		}

		// Quoted field: up to a quote that is not doubled.
		open := base + i
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
				return r.syntaxError(UnterminatedQuote, line, base+len(b), open, len(spans))
			}
			prevEnd := base + len(b)
			var err error
			start, stop, nl, err = r.nextLine()
			switch {
			case err == errTooLong:
				return r.tooLong(line)
			case err == io.EOF:
				return r.syntaxError(UnterminatedQuote, line, prevEnd, open, len(spans))
			case err != nil:
				r.err = err
				return Record{}, err
			}
			b, base, i = r.buf[start:stop], start-r.rec, 0
		}
		if escaped {
			spans = append(spans, r.unescape(open, base+i-1))
		} else {
			spans = append(spans, rawSpan(open+1, base+i-1))
		}

		// After the closing quote: a comma, the end of the line, or an error.
		switch {
		case i == len(b) || i == len(b)-1 && b[i] == '\r':
			return r.finish(line, base+len(b), spans)
		case b[i] == comma:
			i++
		default:
			return r.syntaxError(TextAfterQuote, line, base+len(b), base+i, len(spans)-1)
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

// unescape copies the quoted field whose opening quote is at record
// offset open and closing quote at close, which holds doubled quotes, to
// out, keeping one quote of each pair.
func (r *Reader) unescape(open, close int) span {
	out := r.out
	o := len(out)
	src := r.buf[r.rec+open+1 : r.rec+close]
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
	return span{^int32(o), int32(len(out))}
}

// recordRaw returns the record's first n bytes without a final '\r'.
func (r *Reader) recordRaw(n int) []byte {
	raw := r.buf[r.rec : r.rec+n : r.rec+n]
	if n > 0 && raw[n-1] == '\r' {
		raw = raw[: n-1 : n-1]
	}
	return raw
}

// finish returns the record parsed by quoted, whose lines end at offset n,
// with the fields at spans.
func (r *Reader) finish(line int64, n int, spans []span) (Record, error) {
	raw := r.recordRaw(n)
	return r.record(line, raw, spans, isASCII(raw))
}

// record returns the record raw, starting on line, with the fields at
// spans, after checking that it is valid UTF-8 unless ascii says that it
// is ASCII.
func (r *Reader) record(line int64, raw []byte, spans []span, ascii bool) (Record, error) {
	r.spans = spans
	if !ascii && !utf8.Valid(raw) {
		return r.invalidUTF8(line, raw)
	}
	fields := r.fields[:0]
	for _, s := range spans {
		if s.off >= 0 {
			fields = append(fields, raw[s.off:s.end:s.end])
		} else {
			fields = append(fields, r.out[^s.off:s.end:s.end])
		}
	}
	r.fields = fields
	return Record{Fields: fields, Line: line, Raw: raw}, nil
}

// syntaxError reports the record parsed by quoted, whose lines end at
// offset n, for its byte at offset off in the given field.
func (r *Reader) syntaxError(kind Kind, line int64, n, off, field int) (Record, error) {
	raw := r.recordRaw(n)
	return Record{Line: line, Raw: raw}, newRecordError(kind, line, raw, off, field)
}
