package csvin

import (
	"errors"
	"fmt"
)

// ErrUTF16 is returned, fatally, for input that starts with a UTF-16 (or
// UTF-32 little-endian) byte order mark. Such input has to be converted to
// UTF-8 before it is read.
var ErrUTF16 = errors.New("csvin: input starts with a UTF-16 byte order mark; only UTF-8 is supported")

// ErrFieldCount is matched by the error of Record.CheckFields.
var ErrFieldCount = errors.New("wrong number of fields")

// Kind says what is wrong with a record.
type Kind uint8

// Kinds of RecordError.
const (
	// BareQuote: a '"' inside a field that does not start with '"'.
	// Column is the quote's.
	BareQuote Kind = iota + 1
	// TextAfterQuote: a quoted field's closing '"' is followed by something
	// other than the comma or the end of the line. Column is the first byte
	// after the closing quote.
	TextAfterQuote
	// UnterminatedQuote: the input ends inside a quoted field. Column is the
	// field's opening quote, Raw runs to the end of the input.
	UnterminatedQuote
	// RecordTooLong: the record is longer than Options.MaxRecordBytes.
	// Column is the first byte past the limit, Raw is cut at the limit and
	// Field is -1.
	RecordTooLong
	// InvalidUTF8: the record is not valid UTF-8. Column is the first
	// invalid byte.
	InvalidUTF8
)

var kindText = [...]string{
	BareQuote:         `bare " in non-quoted field`,
	TextAfterQuote:    `extraneous text after closing " of quoted field`,
	UnterminatedQuote: `quoted field not closed before end of input`,
	RecordTooLong:     `record longer than the maximum record size`,
	InvalidUTF8:       `invalid UTF-8`,
}

func (k Kind) String() string {
	if int(k) < len(kindText) && kindText[k] != "" {
		return kindText[k]
	}
	return fmt.Sprintf("csvin.Kind(%d)", uint8(k))
}

// RecordError is a problem with one record. The Reader stays usable after
// it: the next call to Next continues with the following record (for syntax
// errors and RecordTooLong, the first line after the one holding the
// error). Its message never holds the record's data, only positions and the
// reason, because cell values may be personal data.
//
// Positions are 1-based. Column counts bytes, not characters or fields,
// from the start of line ErrLine as it appears in Raw (a UTF-8 byte order
// mark at the start of the input is not counted).
type RecordError struct {
	Kind    Kind
	Line    int64 // line where the record starts
	ErrLine int64 // line of the offending byte; > Line when quoted fields span lines
	Column  int   // byte column of the offending byte within ErrLine
	Field   int   // 0-based index of the field holding the offending byte, -1 if not known
	// Raw is the record's input bytes without its line terminator: every
	// line the reader consumed for it (see Kind for RecordTooLong and
	// UnterminatedQuote). It is valid only until the next call to Next.
	Raw []byte
}

func (e *RecordError) Error() string {
	if e.ErrLine != e.Line {
		return fmt.Sprintf("record on line %d: line %d, column %d: %v", e.Line, e.ErrLine, e.Column, e.Kind)
	}
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Kind)
}

// newRecordError builds the error for the byte at offset off of raw, a
// record that starts on line.
func newRecordError(kind Kind, line int64, raw []byte, off, field int) *RecordError {
	errLine, col := position(line, raw, off)
	return &RecordError{Kind: kind, Line: line, ErrLine: errLine, Column: col, Field: field, Raw: raw}
}
