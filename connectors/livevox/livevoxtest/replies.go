package livevoxtest

import (
	"encoding/json"
	"net/http"
)

// Codes of the reference's error bodies: 202 for validation errors, 203
// for a missing object.
const (
	codeInvalid  = 202
	codeNotFound = 203
)

// writeRaw sends body as JSON with status.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("livevoxtest: " + err.Error())
	}
	writeRaw(w, status, b)
}

// codeMessage sends the first shape: {"code": 202, "message": "..."}.
func codeMessage(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, msg})
}

// errorCode sends the second shape: {"errorCode": 202, "errorMessage": "..."}.
func errorCode(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, struct {
		Code    int    `json:"errorCode"`
		Message string `json:"errorMessage"`
	}{code, msg})
}

// gateway sends the third shape: {"code": 403, "Request Id": "1-...", "Message": "..."}.
func (e *Emulator) gateway(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Code      int    `json:"code"`
		RequestID string `json:"Request Id"`
		Message   string `json:"Message"`
	}{status, e.requestID(), msg})
}

// invalid sends 400 {"errorCode":202,"errorMessage":"Invalid input [what]"}.
func invalid(w http.ResponseWriter, what string) {
	errorCode(w, http.StatusBadRequest, codeInvalid, "Invalid input ["+what+"]")
}

// missingField sends 400 {"code":202,"message":"Missing required field [name]"}.
func missingField(w http.ResponseWriter, name string) {
	codeMessage(w, http.StatusBadRequest, codeInvalid, "Missing required field ["+name+"]")
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// notFoundEmpty is the delete answer for a missing object: 404, no body.
func notFoundEmpty(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }
