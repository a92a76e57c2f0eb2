package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

// vendor is a test server with a login endpoint issuing numbered tokens
// and a data endpoint accepting tokens from minToken on.
type vendor struct {
	logins, logouts atomic.Int64
	dataHits        atomic.Int64
	minToken        int64
	rejectStatus    int // what /data answers to an old token
	srv             *httptest.Server
}

func newVendor(t *testing.T, minToken int64, rejectStatus int) *vendor {
	v := &vendor{minToken: minToken, rejectStatus: rejectStatus}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"sessionId":"%d"}`, v.logins.Add(1))
	})
	mux.HandleFunc("DELETE /login", func(w http.ResponseWriter, r *http.Request) { v.logouts.Add(1) })
	mux.HandleFunc("GET /data", func(w http.ResponseWriter, r *http.Request) {
		v.dataHits.Add(1)
		n, _ := strconv.ParseInt(r.Header.Get("LV-Session"), 10, 64)
		if n < v.minToken {
			w.WriteHeader(v.rejectStatus)
			io.WriteString(w, `{"code":401,"message":"Session expired"}`)
			return
		}
		io.WriteString(w, "data")
	})
	v.srv = httptest.NewServer(mux)
	t.Cleanup(v.srv.Close)
	return v
}

// auth logs in through the unauthenticated client, as a vendor
// authenticator would.
func (v *vendor) auth() *SessionAuth {
	return NewSessionAuth(
		func(ctx context.Context, c *Client) (Session, error) {
			resp, err := c.Do(newReqCtx(ctx, "POST", v.srv.URL+"/login"))
			if err != nil {
				return Session{}, err
			}
			var out struct{ SessionID string }
			if err := json.Unmarshal(resp.Body, &out); err != nil {
				return Session{}, err
			}
			return Session{Header: "LV-Session", Value: pipeline.NewSecret(out.SessionID)}, nil
		},
		func(ctx context.Context, c *Client, s Session) error {
			_, err := c.Do(newReqCtx(ctx, "DELETE", v.srv.URL+"/login"))
			return err
		},
	)
}

func newReqCtx(ctx context.Context, method, url string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, url, nil)
	return req
}

// A 401 triggers exactly one re-authentication and one retry.
func TestUnauthorizedReauthenticatesOnce(t *testing.T) {
	v := newVendor(t, 2, 401) // the first session is already expired
	c, _ := newTestClient(t, Config{Auth: v.auth()})
	resp, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", ""))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "data" || v.logins.Load() != 2 || v.dataHits.Load() != 2 {
		t.Errorf("body %q logins %d data hits %d, want data 2 2", resp.Body, v.logins.Load(), v.dataHits.Load())
	}
	if st := c.Stats(); st.Reauths != 1 || st.Retries != 0 || st.Requests != 4 {
		t.Errorf("stats %+v, want 1 reauth, 0 retries, 4 requests (2 logins)", st)
	}

	// The session now works: no more logins.
	if _, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", "")); err != nil || v.logins.Load() != 2 {
		t.Errorf("err %v logins %d", err, v.logins.Load())
	}
}

// A 401 again with fresh credentials that never got an answer is final
// and permanent.
func TestUnauthorizedTwiceIsPermanent(t *testing.T) {
	v := newVendor(t, 1<<40, 401) // no session is ever accepted
	c, _ := newTestClient(t, Config{Auth: v.auth()})
	_, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", ""))
	se, ok := errors.AsType[*StatusError](err)
	if !ok || se.StatusCode != 401 || se.Message != "Session expired" || !IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	if v.logins.Load() != 2 || v.dataHits.Load() != 2 || c.Stats().Reauths != 1 {
		t.Errorf("logins %d data hits %d reauths %d, want 2 2 1", v.logins.Load(), v.dataHits.Load(), c.Stats().Reauths)
	}
}

// Calabrio answers 403 to an expired session: ReauthOn403 covers it.
func TestForbiddenReauthenticatesWhenConfigured(t *testing.T) {
	v := newVendor(t, 2, 403)
	c, _ := newTestClient(t, Config{Auth: v.auth(), ReauthOn403: true})
	if _, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", "")); err != nil || v.logins.Load() != 2 {
		t.Errorf("err %v logins %d", err, v.logins.Load())
	}

	w := newVendor(t, 2, 403)
	c, _ = newTestClient(t, Config{Auth: w.auth()})
	_, err := c.Do(newReq(t, t.Context(), "GET", w.srv.URL+"/data", ""))
	if se, ok := errors.AsType[*StatusError](err); !ok || se.StatusCode != 403 || w.logins.Load() != 1 {
		t.Errorf("without ReauthOn403: err %v logins %d", err, w.logins.Load())
	}
}

// Many requests refused at once share one re-authentication.
func TestConcurrentUnauthorizedShareOneRefresh(t *testing.T) {
	v := newVendor(t, 2, 401)
	c, _ := newTestClient(t, Config{Auth: v.auth()})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", ""))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if v.logins.Load() != 2 || c.Stats().Reauths != 1 {
		t.Errorf("logins %d reauths %d, want 2 and 1", v.logins.Load(), c.Stats().Reauths)
	}
}

// A static token cannot be refreshed: a 401 fails at once.
func TestStaticHeaderUnauthorizedFailsFast(t *testing.T) {
	var got string
	s := &script{steps: []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("apiToken")
		w.WriteHeader(401)
	}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{Auth: StaticHeader{Name: "apiToken", Value: pipeline.NewSecret("tok-123")}})
	_, err := c.Do(newReq(t, t.Context(), "POST", srv.URL, "{}"))
	if se, ok := errors.AsType[*StatusError](err); !ok || se.StatusCode != 401 || s.hits() != 1 {
		t.Errorf("err %v hits %d", err, s.hits())
	}
	if got != "tok-123" {
		t.Errorf("apiToken header = %q", got)
	}
}

func TestBearerSetsAuthorization(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get("Authorization") }))
	defer srv.Close()
	c, _ := newTestClient(t, Config{Auth: Bearer(pipeline.NewSecret("abc"))})
	if _, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, "")); err != nil || got != "Bearer abc" {
		t.Errorf("err %v Authorization %q", err, got)
	}
}

func TestLoginFailureIsReturned(t *testing.T) {
	srv := httptest.NewServer(status(400, `{"errorMessage":"bad credentials"}`))
	defer srv.Close()
	a := NewSessionAuth(func(ctx context.Context, c *Client) (Session, error) {
		_, err := c.Do(newReqCtx(ctx, "POST", srv.URL+"/api/rest/authorize"))
		return Session{}, err
	}, nil)
	c, _ := newTestClient(t, Config{Auth: a})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL+"/data", ""))
	se, ok := errors.AsType[*StatusError](err)
	if !ok || se.Path != "/api/rest/authorize" || se.Message != "bad credentials" || !IsPermanent(err) {
		t.Errorf("err = %v", err)
	}
}

func TestCloseLogsOut(t *testing.T) {
	v := newVendor(t, 0, 401)
	c, _ := newTestClient(t, Config{Auth: v.auth()})
	if err := c.Close(t.Context()); err != nil || v.logouts.Load() != 0 {
		t.Errorf("close before login: err %v logouts %d", err, v.logouts.Load())
	}
	if _, err := c.Do(newReq(t, t.Context(), "GET", v.srv.URL+"/data", "")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(t.Context()); err != nil || v.logouts.Load() != 1 {
		t.Errorf("err %v logouts %d", err, v.logouts.Load())
	}
	if err := c.Close(t.Context()); err != nil || v.logouts.Load() != 1 {
		t.Errorf("second close: err %v logouts %d", err, v.logouts.Load())
	}
}
