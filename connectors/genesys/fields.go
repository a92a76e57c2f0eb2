package genesys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

var (
	errMissing   = errors.New("required value is missing")
	errNotObject = errors.New("record is not a JSON object")
)

// fieldErr is the first problem found in a record: the wire field and why.
type fieldErr struct {
	field string
	err   error
}

// record stages one JSON object's fields into a row builder, typed, and
// keeps the first problem. Absent and null fields stay null. Errors name
// the field and the expected type, never the value.
type record struct {
	b   *rowbuild.Builder
	f   map[string]json.RawMessage
	bad *fieldErr
}

// open decodes raw as an object for staging into b. It reports false (and
// sets bad) when raw is not an object.
func (r *record) open(b *rowbuild.Builder, raw []byte) bool {
	*r = record{b: b}
	if err := json.Unmarshal(raw, &r.f); err != nil || r.f == nil {
		r.bad = &fieldErr{err: errNotObject}
		return false
	}
	return true
}

func (r *record) fail(field string, err error) {
	if r.bad == nil {
		r.bad = &fieldErr{field: field, err: err}
	}
}

// value returns a field's raw value, false when absent or null.
func (r *record) value(name string) (json.RawMessage, bool) {
	v, ok := r.f[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// text reads a string field.
func (r *record) text(name string) (string, bool) {
	v, ok := r.value(name)
	if !ok {
		return "", false
	}
	var s string
	if v[0] != '"' || json.Unmarshal(v, &s) != nil {
		r.fail(name, fmt.Errorf("not a JSON string (got %s)", jsonType(v)))
		return "", false
	}
	return s, true
}

// str stages a string field into col.
func (r *record) str(col int, name string) {
	if s, ok := r.text(name); ok {
		r.b.SetString(col, s)
	}
}

// key stages a required, non-empty string field into col and returns it.
func (r *record) key(col int, name string) string {
	s, ok := r.text(name)
	if !ok || s == "" {
		r.fail(name, errMissing)
		return ""
	}
	r.b.SetString(col, s)
	return s
}

// ts stages an ISO-8601 date-time field as epoch milliseconds.
func (r *record) ts(col int, name string, required bool) {
	s, ok := r.text(name)
	if !ok {
		if required {
			r.fail(name, errMissing)
		}
		return
	}
	ms, err := parse.Timestamp(s)
	if err != nil {
		r.fail(name, err)
		return
	}
	r.b.SetTimestamp(col, ms)
}

// int stages a whole-number field.
func (r *record) int(col int, name string) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	n, err := parse.Int(v)
	if err != nil {
		r.fail(name, fmt.Errorf("not a whole JSON number (got %s)", jsonType(v)))
		return
	}
	r.b.SetInt(col, n)
}

// bool stages a boolean field.
func (r *record) bool(col int, name string) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	switch string(v) {
	case "true":
		r.b.SetBool(col, true)
	case "false":
		r.b.SetBool(col, false)
	default:
		r.fail(name, fmt.Errorf("not a JSON boolean (got %s)", jsonType(v)))
	}
}

// ref stages the id of a reference object such as {"id":..,"selfUri":..}.
func (r *record) ref(col int, name string) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	var obj struct {
		ID *string `json:"id"`
	}
	if v[0] != '{' || json.Unmarshal(v, &obj) != nil {
		r.fail(name, errors.New("not a reference object with a string id"))
		return
	}
	if obj.ID != nil && *obj.ID != "" {
		r.b.SetString(col, *obj.ID)
	}
}

// json stages a nested array or object, compacted, as a JSON string; open
// is '[' or '{'.
func (r *record) json(col int, name string, open byte) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	if v[0] != open {
		r.fail(name, fmt.Errorf("not a JSON %s (got %s)", jsonType([]byte{open}), jsonType(v)))
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		r.fail(name, errors.New("not valid JSON"))
		return
	}
	r.b.SetBytes(col, buf.Bytes())
}

// jsonType names the JSON type of a raw value, for messages.
func jsonType(v []byte) string {
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
