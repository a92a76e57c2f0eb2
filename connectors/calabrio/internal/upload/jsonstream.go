package upload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
)

// MaxRecordBytes bounds one JSON record (one element of the top-level
// array): the decoder holds a whole record in memory.
const MaxRecordBytes = 16 << 20

var (
	utf8BOM           = []byte{0xEF, 0xBB, 0xBF}
	errRecordTooLarge = fmt.Errorf("the record is larger than %d bytes", MaxRecordBytes)
)

// jsonStream yields the records of a JSON metadata file: the top-level
// object, or each element of the top-level array, one at a time.
type jsonStream struct {
	file  inputs.File
	lim   *recordLimit
	br    *bufio.Reader
	dec   *json.Decoder
	bom   int64
	array bool
	done  bool
	idx   int64
	raw   json.RawMessage
}

// recordLimit fails a read that would take the input past MaxRecordBytes
// (and one byte) from the start of the current record.
type recordLimit struct {
	r    io.Reader
	n    int64 // bytes read
	mark int64 // file offset where the current record starts
	off  bool
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if !l.off {
		left := l.mark + MaxRecordBytes + 1 - l.n
		if left <= 0 {
			return 0, errRecordTooLarge
		}
		if int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

func newJSONStream(f inputs.File, r io.Reader) (*jsonStream, error) {
	s := &jsonStream{file: f, lim: &recordLimit{r: r}}
	s.br = bufio.NewReaderSize(s.lim, 64<<10)
	head, _ := s.br.Peek(3)
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		s.br.Discard(3)
		s.bom = 3
	case len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF):
		return nil, errors.New("the file starts with a UTF-16 byte order mark; only UTF-8 is supported")
	}
	c, skipped, err := skipSpace(s.br)
	if err == io.EOF {
		return nil, errors.New("empty file: a JSON metadata file holds an object or an array of objects")
	}
	if err != nil {
		return nil, err
	}
	switch c {
	case '[':
		s.array = true
	case '{':
	default:
		line, col := s.position(s.bom + skipped)
		return nil, fmt.Errorf("line %d, column %d: a JSON metadata file holds an object or an array of objects", line, col)
	}
	s.br.UnreadByte()
	s.dec = json.NewDecoder(s.br)
	if s.array {
		s.dec.Token() // the '[' seen above
	}
	return s, nil
}

// skipSpace reads up to the first byte that is not JSON white space.
func skipSpace(r io.ByteReader) (byte, int64, error) {
	var n int64
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, n, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, n, nil
		}
		n++
	}
}

// next returns the next record and its 0-based index, or io.EOF. The
// record is valid until the next call. Any other error ends the file: the
// JSON cannot be followed past a syntax error.
func (s *jsonStream) next() ([]byte, int64, error) {
	switch {
	case s.done:
		return nil, 0, io.EOF
	case s.array && !s.dec.More():
		tok, err := s.dec.Token()
		if err == io.EOF {
			return nil, 0, fmt.Errorf("the input ends before the ] that closes the array (after %d records)", s.idx)
		}
		if err != nil {
			return nil, 0, s.fail(err, true)
		}
		if d, ok := tok.(json.Delim); !ok || d != ']' {
			line, col := s.position(s.bom + s.dec.InputOffset())
			return nil, 0, fmt.Errorf("record %d: invalid JSON at line %d, column %d", s.idx, line, col)
		}
		return nil, 0, s.end()
	case !s.array && s.idx > 0:
		return nil, 0, s.end()
	}
	s.lim.mark = s.bom + s.dec.InputOffset()
	s.raw = s.raw[:0]
	if err := s.dec.Decode(&s.raw); err != nil {
		return nil, 0, s.fail(err, false)
	}
	s.idx++
	return s.raw, s.idx - 1, nil
}

// end checks that only white space follows the top-level value.
func (s *jsonStream) end() error {
	s.done = true
	s.lim.off = true
	off := s.bom + s.dec.InputOffset()
	c, skipped, err := skipSpace(bufio.NewReader(io.MultiReader(s.dec.Buffered(), s.br)))
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return err
	}
	line, col := s.position(off + skipped)
	if c == ',' && !s.array {
		return fmt.Errorf("line %d, column %d: a comma follows the top-level object; several records must be enclosed in [ ]", line, col)
	}
	return fmt.Errorf("line %d, column %d: unexpected data after the top-level JSON value", line, col)
}

// fail turns a decoder error into the error that ends the file, with the
// position of a syntax error and never a piece of the input. The offset of
// a syntax error counts the bad byte when the scanner found it inside a
// value, and stops before it when the decoder found it between values (in
// Token, or the comma and colon checks before a value).
func (s *jsonStream) fail(err error, token bool) error {
	s.done = true
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off := se.Offset - 1
		if msg := se.Error(); token || msg == "expected comma after array element" || msg == "expected colon after object key" {
			off = se.Offset
		}
		line, col := s.position(s.bom + max(off, 0))
		return fmt.Errorf("record %d: invalid JSON at line %d, column %d: %s", s.idx, line, col, syntaxReason(se))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("record %d: the input ends inside the record", s.idx)
	}
	return fmt.Errorf("record %d: %w", s.idx, err)
}

// quotedChar is the character encoding/json quotes in its messages, which
// is a piece of the input.
var quotedChar = regexp.MustCompile(`\s*'(\\.|[^'])*'`)

func syntaxReason(se *json.SyntaxError) string {
	msg := se.Error()
	if msg == "" {
		return "syntax error"
	}
	msg = quotedChar.ReplaceAllString(msg, "")
	if i := strings.Index(msg, "json: "); i >= 0 {
		msg = msg[i+len("json: "):]
	}
	return msg
}

// position returns the 1-based line and byte column of a file offset by
// reading the file again (only on the error path).
func (s *jsonStream) position(off int64) (int64, int64) {
	rc, err := s.file.Open()
	if err != nil {
		return 0, 0
	}
	defer rc.Close()
	br := bufio.NewReader(io.LimitReader(rc, off))
	line, col := int64(1), int64(1)
	for {
		c, err := br.ReadByte()
		if err != nil {
			return line, col
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}
