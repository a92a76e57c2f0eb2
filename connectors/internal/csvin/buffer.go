package csvin

import (
	"bytes"
	"errors"
	"io"
)

// errTooLong is nextLine's internal signal that the current record is
// longer than MaxRecordBytes. It never leaves the package.
var errTooLong = errors.New("csvin: record too long")

// errInvalidRead is returned, fatally, when the source returns a count
// outside 0..len(p) from Read.
var errInvalidRead = errors.New("csvin: source returned an invalid count from Read")

// maxEmptyReads is how many (0, nil) reads in a row end the input with
// io.ErrNoProgress, as in bufio.
const maxEmptyReads = 100

// initialBuffer is the buffer's first size, when BufferSize is larger:
// small inputs, such as the many small files of an archive, then need no
// large buffer.
const initialBuffer = 64 << 10

// fill reads more input into buf[end:]. It keeps the current record,
// buf[rec:end], moving it to the front of the buffer. A full buffer grows,
// doubling: up to BufferSize as the input turns out to be large, and
// beyond, up to MaxRecordBytes plus a "\r\n", for a record that does not
// fit (nextLine reports RecordTooLong before a buffer of that size is
// full). Read errors are kept in rerr for nextLine to report once the
// buffered data is used up.
func (r *Reader) fill() {
	switch full := r.end == len(r.buf); {
	case full && (r.rec == 0 || len(r.buf) < r.opts.BufferSize):
		limit := r.opts.BufferSize
		if r.rec == 0 {
			limit = max(limit, r.opts.MaxRecordBytes+2)
		}
		buf := make([]byte, max(min(2*len(r.buf), limit), len(r.buf)+1))
		r.shift(copy(buf, r.buf[r.rec:r.end]))
		r.buf = buf // fields into the old buffer stay valid: no moves++
	case r.rec > 0:
		r.shift(copy(r.buf, r.buf[r.rec:r.end]))
		r.moves++
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			r.rerr = errInvalidRead
			return
		}
		r.end += n
		r.read += int64(n)
		if err != nil {
			r.rerr = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.rerr = io.ErrNoProgress
}

// shift moves the offsets into buf after the current record, n bytes
// from rec, was copied to the front of the buffer.
func (r *Reader) shift(n int) {
	d := r.rec
	r.rec, r.pos, r.scan, r.end, r.valid = 0, r.pos-d, r.scan-d, n, r.valid-d
}

// nextLine finds the line starting at pos and consumes it, newline included.
// It returns the line's bounds in buf (the newline excluded, a '\r' before
// it included) and whether it ended with a newline; a line without one is
// the last line of the input. Offsets into buf are valid until the next
// call. At the end of the input it returns the source's error (io.EOF).
//
// It returns errTooLong on the line where the record started at rec grows
// past MaxRecordBytes, having consumed that line: when the line does not
// fit in the buffer, the next call to Next drops the rest of it.
func (r *Reader) nextLine() (start, stop int, nl bool, err error) {
	for {
		if i := bytes.IndexByte(r.buf[r.scan:r.end], '\n'); i >= 0 {
			start, stop = r.pos, r.scan+i
			r.pos = stop + 1
			r.scan = r.pos
			r.line++
			if stop-r.rec > r.opts.MaxRecordBytes && r.over(stop) {
				return start, stop, true, errTooLong
			}
			return start, stop, true, nil
		}
		r.scan = r.end
		// The record holds at least end-rec-1 bytes even if a "\r\n" follows.
		if r.end-r.rec > r.opts.MaxRecordBytes+1 {
			r.pos = r.end
			r.skipping = true
			return 0, 0, false, errTooLong
		}
		if r.rerr != nil {
			if r.rerr != io.EOF || r.pos == r.end {
				return 0, 0, false, r.rerr
			}
			start, stop = r.pos, r.end
			r.pos = r.end
			if r.over(stop) {
				return start, stop, false, errTooLong
			}
			return start, stop, false, nil
		}
		r.fill()
	}
}

// over reports whether the record from rec to stop, a line end, is longer
// than MaxRecordBytes. A '\r' before stop belongs to the line terminator.
func (r *Reader) over(stop int) bool {
	n := stop - r.rec
	if n > 0 && r.buf[stop-1] == '\r' {
		n--
	}
	return n > r.opts.MaxRecordBytes
}

// skipLine drops input up to and including the next newline. Next calls it
// after a RecordTooLong error whose line was not finished.
func (r *Reader) skipLine() {
	for {
		if i := bytes.IndexByte(r.buf[r.pos:r.end], '\n'); i >= 0 {
			r.pos += i + 1
			r.scan = r.pos
			r.line++
			return
		}
		r.rec, r.pos, r.scan = r.end, r.end, r.end
		if r.rerr != nil {
			return
		}
		r.fill()
	}
}

// skipBOM drops a UTF-8 byte order mark at the start of the input and
// reports ErrUTF16 for a UTF-16 one.
func (r *Reader) skipBOM() error {
	for r.end < 3 && r.rerr == nil {
		r.fill()
	}
	b := r.buf[:r.end]
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		r.pos, r.scan = 3, 3
	case bytes.HasPrefix(b, []byte("\xFF\xFE")), bytes.HasPrefix(b, []byte("\xFE\xFF")):
		return ErrUTF16
	}
	return nil
}
