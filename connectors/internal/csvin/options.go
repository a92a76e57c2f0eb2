package csvin

import (
	"errors"
	"fmt"
)

// Defaults used for zero Options fields.
const (
	DefaultComma          = ','
	DefaultMaxRecordBytes = 16 << 20
	DefaultBufferSize     = 1 << 20

	// maxRecordLimit keeps MaxRecordBytes+2 (the largest buffer) far from
	// overflowing an int on 32-bit platforms.
	maxRecordLimit = 1 << 30
)

// Options configure a Reader. The zero value reads comma-separated UTF-8.
type Options struct {
	// Comma is the field delimiter, ',' when zero. It must be an ASCII byte
	// other than '"', '\r' and '\n'.
	Comma byte
	// MaxRecordBytes limits a record's length in bytes (line terminators
	// inside quoted fields count, the record's own terminator does not).
	// A longer record is returned as a RecordError of kind RecordTooLong and
	// the reader resyncs at the next line. Zero means 16 MiB.
	MaxRecordBytes int
	// BufferSize is the read buffer's size, 1 MiB when zero. The buffer
	// starts at 64 KiB at most and grows to BufferSize as the input turns
	// out larger; beyond, up to MaxRecordBytes+2, only for a record that
	// does not fit.
	BufferSize int
}

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Comma == 0 {
		o.Comma = DefaultComma
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.BufferSize == 0 {
		o.BufferSize = DefaultBufferSize
	}
	return o
}

// Validate reports every problem with o at once. Zero fields are valid and
// mean their defaults.
func (o Options) Validate() error {
	var errs []error
	switch c := o.Comma; {
	case c == '"' || c == '\r' || c == '\n':
		errs = append(errs, fmt.Errorf("csvin: comma %q is not allowed", c))
	case c >= 0x80:
		errs = append(errs, fmt.Errorf("csvin: comma 0x%02x is not an ASCII byte", c))
	}
	if o.MaxRecordBytes < 0 || o.MaxRecordBytes > maxRecordLimit {
		errs = append(errs, fmt.Errorf("csvin: max record bytes %d is outside 0..%d", o.MaxRecordBytes, maxRecordLimit))
	}
	if o.BufferSize < 0 || o.BufferSize > maxRecordLimit {
		errs = append(errs, fmt.Errorf("csvin: buffer size %d is outside 0..%d", o.BufferSize, maxRecordLimit))
	}
	return errors.Join(errs...)
}
