// Package jsonrow stages the fields of one JSON object into a rowbuild
// builder, typed, for the API connectors whose records arrive as JSON
// objects: absent and null fields stay null, and the first problem is kept
// with the wire field's name. Errors name the field and the expected type,
// never the value (values may be personal data).
package jsonrow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

var (
	// ErrMissing is a required field that is absent, null or empty.
	ErrMissing = errors.New("required value is missing")
	// ErrNotObject is a record that is not a JSON object.
	ErrNotObject = errors.New("record is not a JSON object")
)

// FieldErr is the first problem found in a record: the wire field and why.
type FieldErr struct {
	Field string
	Err   error
}

// Record is one JSON object being staged into B.
type Record struct {
	B   *rowbuild.Builder
	F   map[string]json.RawMessage
	Bad *FieldErr
}

// Open decodes raw as an object for staging into b. It reports false (and
// sets Bad) when raw is not an object.
func (r *Record) Open(b *rowbuild.Builder, raw []byte) bool {
	*r = Record{B: b}
	if err := json.Unmarshal(raw, &r.F); err != nil || r.F == nil {
		r.Bad = &FieldErr{Err: ErrNotObject}
		return false
	}
	return true
}

// Fail records a problem unless one is recorded already.
func (r *Record) Fail(field string, err error) {
	if r.Bad == nil {
		r.Bad = &FieldErr{Field: field, Err: err}
	}
}

// Value returns a field's raw value, false when absent or null.
func (r *Record) Value(name string) (json.RawMessage, bool) {
	v, ok := r.F[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// Text reads a string field.
func (r *Record) Text(name string) (string, bool) {
	v, ok := r.Value(name)
	if !ok {
		return "", false
	}
	var s string
	if v[0] != '"' || json.Unmarshal(v, &s) != nil {
		r.Fail(name, fmt.Errorf("not a JSON string (got %s)", Type(v)))
		return "", false
	}
	return s, true
}

// Str stages a string field into col.
func (r *Record) Str(col int, name string) {
	if s, ok := r.Text(name); ok {
		r.B.SetString(col, s)
	}
}

// Key stages a required, non-empty string field into col and returns it.
func (r *Record) Key(col int, name string) string {
	s, ok := r.Text(name)
	if !ok || s == "" {
		r.Fail(name, ErrMissing)
		return ""
	}
	r.B.SetString(col, s)
	return s
}

// TS stages an ISO-8601 / RFC 3339 date-time field as epoch milliseconds.
func (r *Record) TS(col int, name string, required bool) {
	s, ok := r.Text(name)
	if !ok {
		if required {
			r.Fail(name, ErrMissing)
		}
		return
	}
	ms, err := parse.Timestamp(s)
	if err != nil {
		r.Fail(name, err)
		return
	}
	r.B.SetTimestamp(col, ms)
}

// Int stages a whole-number field.
func (r *Record) Int(col int, name string) {
	v, ok := r.Value(name)
	if !ok {
		return
	}
	n, err := parse.Int(v)
	if err != nil {
		r.Fail(name, fmt.Errorf("not a whole JSON number (got %s)", Type(v)))
		return
	}
	r.B.SetInt(col, n)
}

// Bool stages a boolean field.
func (r *Record) Bool(col int, name string) {
	v, ok := r.Value(name)
	if !ok {
		return
	}
	switch string(v) {
	case "true", "false":
		r.B.SetBool(col, string(v) == "true")
	default:
		r.Fail(name, fmt.Errorf("not a JSON boolean (got %s)", Type(v)))
	}
}

// Ref stages the id of a reference object such as {"id":..,"selfUri":..}.
func (r *Record) Ref(col int, name string) {
	v, ok := r.Value(name)
	if !ok {
		return
	}
	var obj struct {
		ID *string `json:"id"`
	}
	if v[0] != '{' || json.Unmarshal(v, &obj) != nil {
		r.Fail(name, errors.New("not a reference object with a string id"))
		return
	}
	if obj.ID != nil && *obj.ID != "" {
		r.B.SetString(col, *obj.ID)
	}
}

// JSON stages a nested array or object, compacted, as a JSON string; open
// is '[' or '{'.
func (r *Record) JSON(col int, name string, open byte) {
	v, ok := r.Value(name)
	if !ok {
		return
	}
	if v[0] != open {
		r.Fail(name, fmt.Errorf("not a JSON %s (got %s)", Type([]byte{open}), Type(v)))
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		r.Fail(name, errors.New("not valid JSON"))
		return
	}
	r.B.SetBytes(col, buf.Bytes())
}

// Type names the JSON type of a raw value, for messages.
func Type(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
