package crestatest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
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
	f, ok := e.faults.Take(func(f Fault) bool {
		prefix, isPrefix := strings.CutSuffix(f.Path, "*")
		return f.Path == "" || path == f.Path || (isPrefix && strings.HasPrefix(path, prefix))
	})
	if !ok {
		return nil
	}
	e.count(&e.counts.Faults)
	return &f
}

// tooMany answers 429 RESOURCE_EXHAUSTED with Retry-After in seconds
// (decimal for waits under a second, to keep test windows short).
func (e *Emulator) tooMany(w http.ResponseWriter, wait time.Duration) {
	e.count(&e.counts.TooMany)
	w.Header().Set("Retry-After", emutest.RetryAfter(wait))
	rpcError(w, http.StatusTooManyRequests, 8, "rate limit exceeded")
}

// drop serves the real answer's headers and half its body, then aborts.
func drop(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	rec := httptest.NewRecorder()
	next(rec, r)
	emutest.DropRecorded(w, rec)
}
