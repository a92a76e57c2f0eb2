package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// tornProxy stands between the client and the test server and tears the
// first `tear` object reads: their bodies keep the headers (ETag,
// checksum) but carry other bytes of the same length, as a read racing a
// write does on a server that swaps data and metadata separately.
func tornProxy(t *testing.T, endpoint string, tear int32) (string, *atomic.Int32) {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var torn atomic.Int32
	p := httputil.NewSingleHostReverseProxy(target)
	p.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method != http.MethodGet || r.StatusCode != http.StatusOK || !strings.HasSuffix(r.Request.URL.Path, ".json") {
			return nil
		}
		if torn.Add(1) > tear {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(bytes.ReplaceAll(body, []byte("1"), []byte("2"))))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL, &torn
}

// TestStateGetRereadsATornBody: a read whose body does not match its
// checksum is read again; one torn every time fails, never returning the
// wrong bytes.
func TestStateGetRereadsATornBody(t *testing.T) {
	cfg := testConfig(t)
	ctx := context.Background()
	direct, err := NewStateStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const doc = `{"holder":"vm:1:run","seq":1}`
	v, err := direct.Put(ctx, "job/lease.json", []byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tear    int32
		wantErr bool
	}{{tear: getAttempts - 1}, {tear: getAttempts, wantErr: true}} {
		endpoint, torn := tornProxy(t, cfg.Endpoint, tc.tear)
		pcfg := cfg
		pcfg.Endpoint = endpoint
		st, err := NewStateStore(ctx, pcfg)
		if err != nil {
			t.Fatal(err)
		}
		data, got, err := st.Get(ctx, "job/lease.json")
		switch {
		case tc.wantErr && (err == nil || !strings.Contains(err.Error(), "checksum")):
			t.Errorf("%d torn reads of %d: %q, %v; want a checksum error", tc.tear, getAttempts, data, err)
		case !tc.wantErr && (err != nil || string(data) != doc || got != v):
			t.Errorf("%d torn reads, then a whole one: %q at %q, %v; want %s at %q", tc.tear, data, got, err, doc, v)
		}
		if n := torn.Load(); n != min(tc.tear+1, getAttempts) {
			t.Errorf("%d torn reads: the server was read %d times", tc.tear, n)
		}
	}
}
