package livevox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/parse"
)

// Decoding errors. They describe the problem, never the value.
var (
	errNotObject = errors.New("record is not a JSON object")
	errMissing   = errors.New("required value is missing")
	errNotPosID  = errors.New("not a positive whole number")
	errNotWhole  = errors.New("not a whole number")
	errEpochMs   = errors.New("not epoch milliseconds between 1970 and 9999")
)

// obj is one JSON object whose values are read by type. A key that is
// absent or null reads as not present.
type obj map[string]json.RawMessage

// parseObj decodes raw as a JSON object.
func parseObj(raw []byte) (obj, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w (got %s)", errNotObject, jsonType(raw))
	}
	var o obj
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, errNotObject
	}
	return o, nil
}

// value returns the raw value of k, nil when absent or null.
func (o obj) value(k string) json.RawMessage {
	v := bytes.TrimSpace(o[k])
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	return v
}

// jsonType names the JSON type of raw for error messages.
func jsonType(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

func wrongType(want string, raw []byte) error {
	return fmt.Errorf("want %s, got %s", want, jsonType(raw))
}

func asString(raw []byte) (string, error) {
	if jsonType(raw) != "a string" {
		return "", wrongType("a string", raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a valid JSON string")
	}
	return s, nil
}

func asInt(raw []byte) (int64, error) {
	if jsonType(raw) != "a number" {
		return 0, wrongType("a number", raw)
	}
	n, err := parse.Int(raw)
	if err != nil {
		return 0, errNotWhole
	}
	return n, nil
}

// asID reads a LiveVox id: a positive whole number.
func asID(raw []byte) (int64, error) {
	n, err := asInt(raw)
	if err == nil && n <= 0 {
		err = errNotPosID
	}
	return n, err
}

func asBool(raw []byte) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, wrongType("a boolean", raw)
}

// asMillis reads epoch milliseconds, the reference's JSON form of every
// DateTime.
func asMillis(raw []byte) (int64, error) {
	if jsonType(raw) != "a number" {
		return 0, wrongType("epoch milliseconds (a number)", raw)
	}
	n, err := parse.EpochMillis(raw)
	if err != nil {
		return 0, errEpochMs
	}
	return n, nil
}

// asArray reads a JSON array's elements.
func asArray(raw []byte) ([]json.RawMessage, error) {
	if jsonType(raw) != "an array" {
		return nil, wrongType("an array", raw)
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, errors.New("not a valid JSON array")
	}
	return a, nil
}

// keepKey reports whether a key may be stored or copied to the rejects
// output: no password field ever is, whatever its case, except the
// timestamp passwordLastModified.
func keepKey(k string) bool {
	l := strings.ToLower(k)
	return !strings.Contains(l, "password") || l == "passwordlastmodified"
}

// scrub removes password fields, at any depth, from a record before it
// goes to the rejects output. A record without any is returned as it is.
func scrub(raw []byte) []byte {
	if !bytes.Contains(bytes.ToLower(raw), []byte("password")) {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return []byte(`"(unparsable record withheld: it may hold a password)"`)
	}
	if !drop(v) {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`"(record withheld)"`)
	}
	return b
}

// drop deletes password keys below v, reporting whether it deleted any.
func drop(v any) bool {
	found := false
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if !keepKey(k) {
				delete(t, k)
				found = true
				continue
			}
			found = drop(x) || found
		}
	case []any:
		for _, x := range t {
			found = drop(x) || found
		}
	}
	return found
}
