package csvin

import "io"

// Reader splits CSV input into records. It is not safe for concurrent use.
type Reader struct {
	src  io.Reader
	opts Options
	err  error // fatal: returned by every later call to Next

	// buf[:end] holds input read from src. buf[rec:] must be kept: it is the
	// current record. buf[pos:] is not consumed yet; buf[pos:scan] holds no
	// '\n'. Offsets move when fill slides the record to the front.
	buf  []byte
	rec  int
	pos  int
	scan int
	end  int
	// buf[rec:valid] is known to be valid UTF-8 when valid > rec (see validUTF8).
	valid int
	rerr  error // read error, reported once the buffered input is used up
	read  int64 // bytes read from src

	line     int64 // newlines consumed
	started  bool
	skipping bool // the last record was too long: drop the rest of its line

	moves  int // times fill moved buffered data, see quoted
	fields [][]byte
	out    []byte // quoted fields with doubled quotes, unescaped
}

// NewReader returns a Reader of r. Invalid options are reported by the first
// call to Next.
func NewReader(r io.Reader, opts Options) *Reader {
	rd := &Reader{src: r, opts: opts.withDefaults()}
	if err := opts.Validate(); err != nil {
		rd.err = err
	}
	return rd
}

// BytesRead returns the input bytes consumed so far, byte order mark, line
// terminators and skipped lines included. After io.EOF it is the input's
// size.
func (r *Reader) BytesRead() int64 {
	return r.read - int64(r.end-r.pos)
}

// Next reads the next record. Its Fields and Raw are valid only until the
// next call to Next. Blank lines ("" or "\r" before the newline) are
// skipped. At the end of the input Next returns io.EOF.
//
// A record with a problem is returned as a *RecordError, together with a
// Record holding only Line and Raw; the Reader stays usable and the next
// call goes on with the following record. Every other error (invalid
// Options, ErrUTF16, an error from the source) is fatal and returned again
// by every later call.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if !r.started {
		r.started = true
		r.buf = make([]byte, min(r.opts.BufferSize, initialBuffer))
		if err := r.skipBOM(); err != nil {
			r.err = err
			return Record{}, err
		}
	}
	if r.skipping {
		r.skipping = false
		r.skipLine()
	}
	for {
		r.rec = r.pos
		line := r.line + 1
		start, stop, nl, err := r.nextLine()
		if err != nil {
			if err == errTooLong {
				return r.tooLong(line)
			}
			r.err = err
			return Record{}, err
		}
		raw := r.buf[start:stop:stop]
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[: n-1 : n-1] // CRLF, or a '\r' ending the input as in encoding/csv
		}
		if len(raw) == 0 {
			continue
		}
		fields, quoted, ascii := split(r.fields[:0], raw, r.opts.Comma)
		r.fields = fields
		if quoted {
			return r.quoted(line, start, stop, nl)
		}
		if !ascii && !r.validUTF8(start+len(raw)) {
			return r.invalidUTF8(line, raw)
		}
		return Record{Fields: fields, Line: line, Raw: raw}, nil
	}
}

// tooLong reports the record starting on line, which nextLine found longer
// than MaxRecordBytes. Its Raw is cut at the limit.
func (r *Reader) tooLong(line int64) (Record, error) {
	limit := r.opts.MaxRecordBytes
	raw := r.buf[r.rec : r.rec+limit : r.rec+limit]
	return Record{Line: line, Raw: raw}, newRecordError(RecordTooLong, line, raw, limit, -1)
}
