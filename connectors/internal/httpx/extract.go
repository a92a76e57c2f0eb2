package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths error fields are cut to.
const (
	maxMessageRunes = 200
	maxCodeRunes    = 64
	maxErrorBody    = 64 << 10 // bytes of an error body read for the extractor
)

// ErrorDetail is what a vendor says about a failed request.
type ErrorDetail struct {
	Code      string
	Message   string
	RequestID string
}

// ErrorExtractor pulls an ErrorDetail out of an error response body (at
// most 64 KiB of it). It must not return the body itself; the client cuts
// every field short and scrubs it anyway.
type ErrorExtractor func(body []byte) ErrorDetail

// Field names DefaultErrorExtractor looks for, in order of preference.
var (
	messageKeys   = []string{"errorMessage", "message", "Message", "error_description", "detail", "title"}
	codeKeys      = []string{"errorCode", "code", "Code", "error_code"}
	requestIDKeys = []string{"Request Id", "requestId", "request_id", "RequestId", "contextId", "correlationId"}
)

// DefaultErrorExtractor understands the error bodies of the ccetl vendors:
//
//	{"error":"..."}                                  MaestroQA
//	{"message":"...","code":"...","contextId":".."}  Genesys Cloud
//	{"code":202,"message":"..."}                     LiveVox
//	{"errorCode":202,"errorMessage":"..."}           LiveVox, Calabrio
//	{"code":403,"Request Id":"..","Message":".."}    LiveVox
//	{"error":"invalid_client","error_description":".."}  OAuth token endpoints
//
// plus {"error":{"message":..}} and {"errors":[{"message":..}]}. A plain
// text body gives its first line; HTML and other JSON give nothing.
func DefaultErrorExtractor(body []byte) ErrorDetail {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ErrorDetail{}
	}
	switch body[0] {
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) != nil {
			return ErrorDetail{}
		}
		return fromObject(obj, true)
	case '[':
		var arr []map[string]json.RawMessage
		if json.Unmarshal(body, &arr) != nil || len(arr) == 0 {
			return ErrorDetail{}
		}
		return fromObject(arr[0], false)
	case '<':
		return ErrorDetail{} // an HTML error page says nothing useful
	}
	if !utf8.Valid(body) {
		return ErrorDetail{}
	}
	line, _, _ := strings.Cut(string(body), "\n")
	return ErrorDetail{Message: line}
}

func fromObject(obj map[string]json.RawMessage, nest bool) ErrorDetail {
	d := ErrorDetail{
		Message:   firstScalar(obj, messageKeys),
		Code:      firstScalar(obj, codeKeys),
		RequestID: firstScalar(obj, requestIDKeys),
	}
	if raw, ok := obj["error"]; ok {
		if s, ok := scalar(raw); ok {
			if d.Message == "" {
				d.Message = s
			} else if d.Code == "" {
				d.Code = s // OAuth: error is the code, error_description the message
			}
		} else if inner := (map[string]json.RawMessage{}); nest && json.Unmarshal(raw, &inner) == nil {
			d = merge(d, fromObject(inner, false))
		}
	}
	if raw, ok := obj["errors"]; ok && nest && d.Message == "" {
		var arr []map[string]json.RawMessage
		if json.Unmarshal(raw, &arr) == nil && len(arr) > 0 {
			d = merge(d, fromObject(arr[0], false))
		}
	}
	return d
}

func merge(d, e ErrorDetail) ErrorDetail {
	if d.Message == "" {
		d.Message = e.Message
	}
	if d.Code == "" {
		d.Code = e.Code
	}
	if d.RequestID == "" {
		d.RequestID = e.RequestID
	}
	return d
}

func firstScalar(obj map[string]json.RawMessage, keys []string) string {
	for _, k := range keys {
		if raw, ok := obj[k]; ok {
			if s, ok := scalar(raw); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// scalar renders a JSON string, number or boolean as text.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f':
		return string(raw), true
	}
	return "", false
}

// clean makes s one printable line of at most n runes.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// redacted replaces secrets in messages, as pipeline.Secret prints.
const redacted = "**redacted**"

// Headers whose values are never secret; everything else is scrubbed.
var plainHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true,
	"Content-Type": true, "Content-Length": true, "User-Agent": true,
}

// scrubber removes a request's header and query values from text that
// leaves the package (error messages, log lines), in case a vendor or a
// library echoes them.
type scrubber []string

// Values shorter than this are not scrubbed: they are not secrets and
// replacing them would garble messages.
const minSecretLen = 6

func newScrubber(r *http.Request, secrets ...string) scrubber {
	var s scrubber
	add := func(v string, min int) {
		if len(v) >= min {
			s = append(s, v)
		}
	}
	for _, v := range secrets { // values sent in bodies (login passwords)
		add(v, 1)
		if q := url.QueryEscape(v); q != v {
			add(q, 1)
		}
		if j, err := json.Marshal(v); err == nil && string(j[1:len(j)-1]) != v {
			add(string(j[1:len(j)-1]), 1)
		}
	}
	for name, vs := range r.Header {
		if plainHeaders[name] {
			continue
		}
		for _, v := range vs {
			add(v, minSecretLen)
			// "Bearer <token>", "a=b; c=d": a message may echo one part.
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ';' || r == '=' || r == ',' }) {
				add(f, 8)
			}
		}
	}
	if r.URL != nil {
		for _, vs := range r.URL.Query() {
			for _, v := range vs {
				add(v, minSecretLen)
				add(url.QueryEscape(v), minSecretLen)
			}
		}
		if p, ok := r.URL.User.Password(); ok {
			add(p, 1)
		}
	}
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) }) // longest first
	return s
}

func (s scrubber) scrub(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, v, redacted)
	}
	return text
}
