package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// JSON value readers for the contact answer. Each returns ok=false for an
// absent or null value and an error, never naming the value, for a value
// of the wrong kind.

var (
	errNotText   = errors.New("not a string or number")
	errNotInt    = errors.New("not a whole number")
	errNotNumber = errors.New("not a number")
	errNotBool   = errors.New("not a boolean")
	errNotObject = errors.New("not a JSON object")
)

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func jText(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return "", false, nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, errNotText
		}
		return s, true, nil
	case c == '-' || (c >= '0' && c <= '9'), c == 't', c == 'f':
		return string(raw), true, nil
	}
	return "", false, errNotText
}

func jInt(raw json.RawMessage) (int64, bool, error) {
	s, ok, err := jText(raw)
	if !ok || err != nil {
		return 0, ok, err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f), true, nil
	}
	return 0, false, errNotInt
}

func jFloat(raw json.RawMessage) (float64, bool, error) {
	s, ok, err := jText(raw)
	if !ok || err != nil {
		return 0, ok, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, errNotNumber
	}
	return f, true, nil
}

func jBool(raw json.RawMessage) (bool, bool, error) {
	s, ok, err := jText(raw)
	if !ok || err != nil {
		return false, ok, errNotBool
	}
	switch s {
	case "true", "1", "True", "TRUE":
		return true, true, nil
	case "false", "0", "False", "FALSE":
		return false, true, nil
	}
	return false, false, errNotBool
}

func jObject(raw json.RawMessage) (map[string]json.RawMessage, bool, error) {
	if isNull(raw) {
		return nil, false, nil
	}
	var m map[string]json.RawMessage
	if bytes.TrimSpace(raw)[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, false, errNotObject
	}
	return m, true, nil
}

// valueText is a metadata value as text: a string as it is, anything else
// as its JSON.
func valueText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String(), true
	}
	return string(raw), true
}

// eachElement calls fn with every element of a JSON array answer, or with
// the answer itself when it is one object. A body that is neither fails:
// it cannot be split into records.
func eachElement(body []byte, fn func(i int, raw json.RawMessage)) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		return fmt.Errorf("the answer is not JSON")
	}
	switch tok {
	case json.Delim('{'):
		if !json.Valid(body) {
			return errors.New("the answer is not valid JSON")
		}
		fn(0, bytes.TrimSpace(body))
		return nil
	case json.Delim('['):
	default:
		return errors.New("the answer is not a JSON array or object")
	}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("element %d: the answer is not valid JSON", i)
		}
		fn(i, raw)
	}
	if _, err := dec.Token(); err != nil {
		return errors.New("the answer's array is not closed")
	}
	return nil
}
