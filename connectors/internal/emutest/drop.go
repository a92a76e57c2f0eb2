package emutest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
)

// DropBody sends status, the headers already set on w and a Content-Length
// of len(body), then the first half of body, and closes the connection, as
// a network failure mid-body would. The handler must not write to w after.
func DropBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, buf, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http then closes the connection
	}
	buf.Flush()
	conn.Close()
}

// DropRecorded is DropBody for an answer recorded by rec: its headers,
// status and body.
func DropRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	DropBody(w, rec.Code, rec.Body.Bytes())
}
