package restcat

import (
	"encoding/json"
	"net/http"
)

// errorModel is the spec's ErrorModel, inside its IcebergErrorResponse.
type errorModel struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    int    `json:"code"`
}

// writeError answers with the spec's error body {"error": ErrorModel}.
func writeError(w http.ResponseWriter, code int, typ, msg string) {
	writeJSON(w, code, map[string]errorModel{"error": {Message: msg, Type: typ, Code: code}})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
