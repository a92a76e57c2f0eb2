// Package csvin is the streaming RFC 4180 tokenizer under every CSV decoder
// of ccetl. It splits input into records of byte-slice fields, about three
// times as fast as encoding/csv on unquoted input and about as fast on
// quoted input (while also checking UTF-8), and allocates nothing per
// record once its buffers have grown to the input's largest record.
//
// # Format
//
// Fields are separated by Options.Comma (',' by default) and records by
// "\n" or "\r\n", mixed freely; the last record needs no terminator. A
// field that starts with '"' is quoted: it may hold the comma, line breaks
// and doubled quotes (`""` for `"`), and ends at a '"' followed by the
// comma or the end of the line. Blank lines ("" or "\r") are skipped but
// counted, and so are the lines inside quoted fields, so Record.Line is the
// line an editor shows. A UTF-8 byte order mark at the start is skipped;
// a UTF-16 one is the fatal ErrUTF16.
//
// Differences from encoding/csv (with FieldsPerRecord = -1, LazyQuotes
// false): line breaks inside quoted fields are kept as they are, so "\r\n"
// stays "\r\n" where encoding/csv gives "\n"; every record must be valid
// UTF-8; records longer than Options.MaxRecordBytes are rejected. Fields
// per record are not checked: a decoder calls Record.CheckFields with its
// header's width. Otherwise both return the same records, and fail on the
// same records with the same lines (see FuzzReader).
//
// # Errors
//
// A bad record is returned as a *RecordError (bare quote, text after a
// closing quote, unterminated quoted field, record too long, invalid UTF-8)
// with the line where the record starts, the line and byte column of the
// offending byte, the field's index and the record's raw bytes for a
// rejects output; the Reader then goes on with the next record. After a
// syntax error or a too long record it resyncs at the next line, as
// encoding/csv does. Only invalid Options, ErrUTF16 and errors from the
// source are fatal.
//
// # Speed
//
// Input is read into one large buffer (not a bufio.Reader: a record must
// stay in one piece, with its Raw bytes, however many lines it spans) and
// handled a line at a time. The line is found with bytes.IndexByte('\n').
// It is then cut at its commas 8 bytes a step (SWAR: bit tricks on uint64
// words), which at the same time looks for quotes and for bytes above 0x7f;
// this beat a bytes.IndexByte call per field, as fields are short. A line
// with a quote takes the quote-aware path, which finds closing quotes with
// bytes.IndexByte. Fields point into the buffer: line breaks in quoted
// fields are kept as they are, so even a field over several lines is a
// piece of it, and only quoted fields holding doubled quotes are copied.
//
// An ASCII line needs no UTF-8 check. Other records are checked with
// utf8.Valid, but in bulk, up to the last line end in the buffer, rather
// than one short record at a time; a line break cannot fall inside a valid
// UTF-8 sequence, so the answer is the same.
//
// The Fields slice and the buffers are reused, so Fields and Raw are valid
// only until the next call to Next.
package csvin
