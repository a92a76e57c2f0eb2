package upload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/parse"
)

// Errors of JSON values. They never carry the value.
var (
	ErrNotObject  = errors.New("not a JSON object")
	ErrWantString = errors.New("want a JSON string")
	ErrWantText   = errors.New("want a JSON string or number")
	ErrWantInt    = errors.New("want a whole number (JSON number or string of digits)")
	ErrWantList   = errors.New("want a JSON array of strings (or one pipe-delimited string)")
	ErrWantMap    = errors.New("want a JSON object of name/value strings")
)

// first returns the first byte of a JSON value that is not white space.
func first(v []byte) byte {
	for _, c := range v {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

func isNumber(c byte) bool { return c == '-' || c >= '0' && c <= '9' }

// Object calls fn for every member of the JSON object raw, in order,
// duplicates included. It stops at the first error fn returns. raw must
// come from a document the decoder accepted (as every record does): the
// members are found by a scan that skips values without checking them.
func Object(raw []byte, fn func(key string, val []byte) error) error {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return ErrNotObject
	}
	for i++; ; {
		i = skipWS(raw, i)
		switch {
		case i >= len(raw):
			return ErrNotObject
		case raw[i] == '}':
			return nil
		case raw[i] == ',':
			i++
			continue
		case raw[i] != '"':
			return ErrNotObject
		}
		e := stringEnd(raw, i)
		key, err := unquote(raw[i:e])
		if err != nil {
			return ErrNotObject
		}
		if i = skipWS(raw, e); i >= len(raw) || raw[i] != ':' {
			return ErrNotObject
		}
		i = skipWS(raw, i+1)
		e = valueEnd(raw, i)
		if e == i {
			return ErrNotObject
		}
		if err := fn(key, raw[i:e]); err != nil {
			return err
		}
		i = e
	}
}

// array calls fn for every element of the JSON array raw (from an accepted
// document, as for Object).
func array(raw []byte, fn func(i int, el []byte) error) (int, error) {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return 0, errNotArray
	}
	n := 0
	for i++; ; {
		i = skipWS(raw, i)
		switch {
		case i >= len(raw):
			return n, errNotArray
		case raw[i] == ']':
			return n, nil
		case raw[i] == ',':
			i++
			continue
		}
		e := valueEnd(raw, i)
		if e == i {
			return n, errNotArray
		}
		if err := fn(n, raw[i:e]); err != nil {
			return n, err
		}
		n++
		i = e
	}
}

var errNotArray = errors.New("not a JSON array")

func skipWS(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the end of the JSON string starting at v[i] ('"').
func stringEnd(v []byte, i int) int {
	for i++; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(v)
}

// valueEnd returns the end of the JSON value starting at v[i].
func valueEnd(v []byte, i int) int {
	if i >= len(v) {
		return i
	}
	switch v[i] {
	case '"':
		return stringEnd(v, i)
	case '{', '[':
		depth := 0
		for ; i < len(v); i++ {
			switch v[i] {
			case '"':
				i = stringEnd(v, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(v)
	}
	for i < len(v) && v[i] != ',' && v[i] != '}' && v[i] != ']' && v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n' {
		i++
	}
	return i
}

// unquote decodes a JSON string literal; one without escapes is copied.
func unquote(q []byte) (string, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", ErrWantString
	}
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", ErrWantString
	}
	return s, nil
}

// Text reads a JSON string, or a number as written when numbers is true
// (identifiers that a producer may send as numbers). ok is false for null.
func Text(v []byte, numbers bool) (s string, ok bool, err error) {
	switch c := first(v); {
	case c == 'n':
		return "", false, nil
	case c == '"':
		s, err := unquote(bytes.TrimSpace(v))
		if err != nil {
			return "", false, ErrWantString
		}
		return s, true, nil
	case numbers && isNumber(c):
		return string(bytes.TrimSpace(v)), true, nil
	case numbers:
		return "", false, ErrWantText
	}
	return "", false, ErrWantString
}

// Int reads a whole number given as a JSON number or a string of digits.
func Int(v []byte) (int64, bool, error) {
	b, ok, err := digits(v)
	if !ok || err != nil {
		return 0, ok, err
	}
	n, perr := parse.Int(b)
	if perr != nil {
		return 0, false, ErrWantInt
	}
	return n, true, nil
}

// Millis reads epoch milliseconds given as a JSON number or a string.
func Millis(v []byte) (int64, bool, error) {
	b, ok, err := digits(v)
	if !ok || err != nil {
		return 0, ok, err
	}
	ms, perr := parse.EpochMillis(b)
	if perr != nil {
		return 0, false, perr
	}
	return ms, true, nil
}

func digits(v []byte) ([]byte, bool, error) {
	switch c := first(v); {
	case c == 'n':
		return nil, false, nil
	case isNumber(c):
		return bytes.TrimSpace(v), true, nil
	case c == '"':
		if s, err := unquote(bytes.TrimSpace(v)); err == nil {
			return []byte(s), true, nil
		}
	}
	return nil, false, ErrWantInt
}

// List reads an array of strings (numbers taken as written; null and
// empty items dropped), or one string split on pipes as in CSV.
func List(v []byte) ([]string, bool, error) {
	switch first(v) {
	case 'n':
		return nil, false, nil
	case '"':
		s, _, err := Text(v, false)
		if err != nil {
			return nil, false, ErrWantList
		}
		return SplitPipes([]byte(s)), true, nil
	case '[':
	default:
		return nil, false, ErrWantList
	}
	var out []string
	_, err := array(v, func(_ int, it []byte) error {
		s, ok, err := Text(it, true)
		if err != nil {
			return ErrWantList
		}
		if ok && s != "" {
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, false, ErrWantList
	}
	if out == nil {
		out = []string{}
	}
	return out, true, nil
}

// Map reads an object of name/value pairs in order. Values may be strings,
// numbers or booleans (taken as written); null members are left out. A
// name given twice is an error.
func Map(v []byte) (keys, vals []string, ok bool, err error) {
	switch first(v) {
	case 'n':
		return nil, nil, false, nil
	case '{':
	default:
		return nil, nil, false, ErrWantMap
	}
	seen := map[string]bool{}
	err = Object(v, func(k string, val []byte) error {
		if seen[k] {
			return fmt.Errorf("name %q given more than once", k)
		}
		seen[k] = true
		switch c := first(val); {
		case c == 'n':
			return nil
		case c == '"' || isNumber(c):
			s, _, err := Text(val, true)
			if err != nil {
				return ErrWantMap
			}
			keys, vals = append(keys, k), append(vals, s)
		case c == 't' || c == 'f':
			keys, vals = append(keys, k), append(vals, string(bytes.TrimSpace(val)))
		default:
			return ErrWantMap
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	return keys, vals, true, nil
}

// Elements calls fn for each element of a JSON array; a lone object counts
// as an array of one. It returns the number of elements; ok is false for
// null.
func Elements(v []byte, fn func(i int, el []byte) error) (n int, ok bool, err error) {
	switch first(v) {
	case 'n':
		return 0, false, nil
	case '{':
		return 1, true, fn(0, v)
	case '[':
	default:
		return 0, false, errors.New("want a JSON array of objects")
	}
	n, err = array(v, fn)
	if errors.Is(err, errNotArray) {
		return n, false, errors.New("want a JSON array of objects")
	}
	return n, true, err
}

// SplitPipes splits a pipe-delimited CSV value ("a|b"), dropping empty
// items.
func SplitPipes(b []byte) []string {
	out := make([]string, 0, 1+bytes.Count(b, []byte{'|'}))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '|')
		if i < 0 {
			i = len(b)
		}
		if i > 0 {
			out = append(out, string(b[:i]))
		}
		b = b[min(i+1, len(b)):]
	}
	return out
}
