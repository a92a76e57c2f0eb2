package crestatest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// rpcError writes a google.rpc.Status JSON body, the error shape of
// gRPC-transcoded APIs such as this one. The reference documents no error
// model (doc error 67): this is an assumption from its {name=...} path
// templates.
func rpcError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "details": []any{}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// rpcCode maps an HTTP status to the gRPC code gRPC-gateway maps to it.
func rpcCode(status int) int {
	switch status {
	case http.StatusBadRequest:
		return 3 // INVALID_ARGUMENT
	case http.StatusUnauthorized:
		return 16 // UNAUTHENTICATED
	case http.StatusForbidden:
		return 7 // PERMISSION_DENIED
	case http.StatusNotFound:
		return 5 // NOT_FOUND
	case http.StatusTooManyRequests:
		return 8 // RESOURCE_EXHAUSTED
	case http.StatusServiceUnavailable:
		return 14 // UNAVAILABLE
	case http.StatusGatewayTimeout:
		return 4 // DEADLINE_EXCEEDED
	}
	return 13 // INTERNAL
}

func (e *Emulator) fault(path string) *Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.faults {
		prefix, isPrefix := strings.CutSuffix(f.Path, "*")
		match := f.Path == "" || path == f.Path || (isPrefix && strings.HasPrefix(path, prefix))
		if f.Times == 0 || !match {
			continue
		}
		if f.After > 0 {
			f.After--
			continue
		}
		f.Times--
		e.counts.Faults++
		return f
	}
	return nil
}

// admit records a request at now when every window has room, or returns
// how long until one does.
func (e *Emulator) admit(now time.Time) (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var wait time.Duration
	keep := e.sent[:0]
	var span time.Duration
	for _, w := range e.cfg.Limits {
		span = max(span, w.Per)
	}
	for _, t := range e.sent {
		if t.After(now.Add(-span)) {
			keep = append(keep, t)
		}
	}
	e.sent = keep
	for _, w := range e.cfg.Limits {
		n := 0
		for _, t := range e.sent {
			if t.After(now.Add(-w.Per)) {
				n++
			}
		}
		if n >= w.Requests {
			wait = max(wait, e.sent[len(e.sent)-n].Add(w.Per).Sub(now))
		}
	}
	if wait > 0 {
		return wait, false
	}
	e.sent = append(e.sent, now)
	return 0, true
}

// tooMany answers 429 RESOURCE_EXHAUSTED with Retry-After in seconds
// (decimal for waits under a second, to keep test windows short).
func (e *Emulator) tooMany(w http.ResponseWriter, wait time.Duration) {
	e.count(&e.counts.TooMany)
	ra := strconv.FormatFloat(math.Ceil(wait.Seconds()), 'f', 0, 64)
	if wait < time.Second {
		ra = strconv.FormatFloat(float64(wait.Milliseconds()+1)/1000, 'f', 3, 64)
	}
	w.Header().Set("Retry-After", ra)
	rpcError(w, http.StatusTooManyRequests, 8, "rate limit exceeded")
}

// drop serves the real answer's headers and half its body, then aborts.
func drop(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	rec := httptest.NewRecorder()
	next(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}
