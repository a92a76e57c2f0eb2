package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

const (
	headerSecret = "tok-SECRET-4f9a8b7c6d"
	querySecret  = "key-SECRET-1a2b3c4d5e"
	loginSecret  = "sess-SECRET-99887766"
)

// Secrets in headers and query strings appear in no log line and no
// error, even when the vendor echoes them or the connection fails.
func TestSecretsNeverLoggedOrReturned(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":"invalid apiToken %s for api_key=%s (session %s)","Request Id":"%s"}`,
			r.Header.Get("apiToken"), r.URL.Query().Get("api_key"), r.Header.Get("Cookie"), r.Header.Get("apiToken"))
	}
	s := &script{steps: []http.HandlerFunc{status(500, headerSecret), dropMidBody(`{"data":"` + querySecret + `"}`), status(401, ""), echo}}
	srv := httptest.NewServer(s)
	defer srv.Close()

	lb := &logBuf{}
	logger := slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	login := NewSessionAuth(func(ctx context.Context, c *Client) (Session, error) {
		return Session{Header: "Cookie", Value: pipeline.NewSecret("hazelcast.sessionId=" + loginSecret)}, nil
	}, nil)
	// Two authenticators in one: the static apiToken header plus a session cookie.
	auth := multiAuth{StaticHeader{Name: "apiToken", Value: pipeline.NewSecret(headerSecret)}, login}
	c, _ := newTestClient(t, Config{Vendor: "maestroqa", Auth: auth, Logger: logger, RequestLogLevel: slog.LevelDebug})
	url := srv.URL + "/api/v1/coaching-sessions?api_key=" + querySecret + "&startDate=2021-12-01"

	_, err := c.Do(newReq(t, t.Context(), "POST", url, `{"token":"`+headerSecret+`"}`))
	se, ok := errors.AsType[*StatusError](err)
	if !ok || se.StatusCode != 400 {
		t.Fatalf("err = %v, want the echoed 400", err)
	}
	if !strings.Contains(se.Message, "invalid apiToken "+redacted) {
		t.Errorf("vendor message %q: echoed token not replaced", se.Message)
	}

	// A transport error on a URL full of secrets.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/x?api_key=" + querySecret
	ln.Close()
	_, err2 := c.Do(newReq(t, t.Context(), "GET", dead, ""))
	if err2 == nil {
		t.Fatal("request to a closed port succeeded")
	}

	logs := lb.String()
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", se), err2.Error(), fmt.Sprintf("%#v", err2), logs} {
		for _, secret := range []string{headerSecret, querySecret, loginSecret} {
			if strings.Contains(text, secret) {
				t.Errorf("secret %s leaked into:\n%s", secret, text)
			}
		}
	}
	if strings.Contains(logs, "startDate") || strings.Contains(logs, "2021-12-01") {
		t.Errorf("query string logged:\n%s", logs)
	}
	if n := strings.Count(logs, `"msg":"http request"`); n < 9 { // 4 + 5 attempts
		t.Errorf("%d request records, want at least 9:\n%s", n, logs)
	}
}

// multiAuth applies several authenticators; it refreshes the last one.
type multiAuth []Authenticator

func (m multiAuth) Apply(req *http.Request, c *Client) error {
	for _, a := range m {
		if err := a.Apply(req, c); err != nil {
			return err
		}
	}
	return nil
}

func (m multiAuth) Refresh(ctx context.Context, c *Client) error {
	return m[len(m)-1].Refresh(ctx, c)
}

// Each attempt is one structured record: method, path, key, attempt,
// status, duration; each retry one more with the wait.
func TestRequestLogRecords(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503, ""), status(200, "ok")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, lb := newTestClient(t, Config{Vendor: "genesys"})
	if _, err := c.Do(newReq(t, WithLimitKey(t.Context(), "genesys:appointments"), "GET", srv.URL+"/api/v2/coaching/appointments?pageNumber=2", "")); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	dec := json.NewDecoder(strings.NewReader(lb.String()))
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3 (attempt, retry, attempt):\n%s", len(recs), lb)
	}
	for i, want := range []struct {
		msg     string
		attempt float64
		status  float64
	}{{"http request", 1, 503}, {"http retry", 1, 503}, {"http request", 2, 200}} {
		r := recs[i]
		if r["msg"] != want.msg || r["attempt"] != want.attempt || r["status"] != want.status ||
			r["method"] != "GET" || r["path"] != "/api/v2/coaching/appointments" ||
			r["key"] != "genesys:appointments" || r["vendor"] != "genesys" {
			t.Errorf("record %d: %v", i, r)
		}
	}
	if _, ok := recs[0]["duration"]; !ok {
		t.Errorf("no duration: %v", recs[0])
	}
	if _, ok := recs[1]["wait"]; !ok || recs[1]["level"] != "WARN" {
		t.Errorf("retry record: %v", recs[1])
	}
}

// Request records follow Config.RequestLogLevel: at the default (Info) an
// Info logger sees them, a Warn logger sees only retries.
func TestRequestLogLevel(t *testing.T) {
	srv := httptest.NewServer(status(200, ""))
	defer srv.Close()
	lb := &logBuf{}
	c, _ := newTestClient(t, Config{Logger: slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if lb.String() != "" {
		t.Errorf("warn logger got %q", lb)
	}
	lb2 := &logBuf{}
	c, _ = newTestClient(t, Config{Logger: slog.New(slog.NewTextHandler(lb2, nil))})
	c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if !strings.Contains(lb2.String(), "level=INFO msg=\"http request\"") {
		t.Errorf("info logger got %q", lb2)
	}
}

func TestScrubber(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://user:pw-secret@h/p?k=q+v%2Bx%2Fsecret&d=short", nil)
	req.Header.Set("Authorization", "Bearer abcdefgh12345")
	req.Header.Set("Content-Type", "application/json")
	s := newScrubber(req)
	got := s.scrub("Bearer abcdefgh12345 / abcdefgh12345 / q v+x/secret / q+v%2Bx%2Fsecret / pw-secret / short / application/json")
	want := strings.Repeat(redacted+" / ", 5) + "short / application/json"
	if got != want {
		t.Errorf("scrub:\n got %s\nwant %s", got, want)
	}
}
