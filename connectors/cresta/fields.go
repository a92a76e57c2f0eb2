package cresta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

var errMissing = errors.New("required value is missing")

// fieldErr is the first problem found in a record: the wire field and why.
type fieldErr struct {
	field string
	err   error
}

// record stages the fields of one JSON object into a row builder, typed,
// and keeps the first problem. Absent and null fields stay null. Errors
// name the field and the expected type, never the value.
type record struct {
	b   *rowbuild.Builder
	f   map[string]json.RawMessage
	bad *fieldErr
}

func (r *record) fail(field string, err error) {
	if r.bad == nil {
		r.bad = &fieldErr{field: field, err: err}
	}
}

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

func (r *record) str(col int, name string) {
	if s, ok := r.text(name); ok {
		r.b.SetString(col, s)
	}
}

// ts stages an RFC 3339 timestamp (protobuf JSON form) as epoch ms.
func (r *record) ts(col int, name string) {
	s, ok := r.text(name)
	if !ok {
		return
	}
	ms, err := parse.Timestamp(s)
	if err != nil {
		r.fail(name, err)
		return
	}
	r.b.SetTimestamp(col, ms)
}

func (r *record) bool(col int, name string) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	switch string(v) {
	case "true", "false":
		r.b.SetBool(col, string(v) == "true")
	default:
		r.fail(name, fmt.Errorf("not a JSON boolean (got %s)", jsonType(v)))
	}
}

// array stages a JSON array, compacted, as a string.
func (r *record) array(col int, name string) {
	v, ok := r.value(name)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if v[0] != '[' || json.Compact(&buf, v) != nil {
		r.fail(name, fmt.Errorf("not a JSON array (got %s)", jsonType(v)))
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
