package emutest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDropBodyCutsTheConnectionHalfWay(t *testing.T) {
	body := []byte(`{"items":[1,2,3,4,5,6,7,8,9,10]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(http.StatusOK)
		rec.Write(body)
		DropRecorded(w, rec)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || resp.ContentLength != int64(len(body)) {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read error %v, want unexpected EOF", err)
	}
	if string(got) != string(body[:len(body)/2]) {
		t.Fatalf("read %q", got)
	}
}
