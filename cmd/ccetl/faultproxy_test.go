package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// faultProxy forwards requests to one emulator and, at a seeded rate,
// answers 500 or 503 itself or cuts the emulator's answer off half way
// through its body: the transient faults a long run meets.
type faultProxy struct {
	target   *url.URL
	rate     float64
	mu       sync.Mutex
	rng      *rand.Rand
	faults   int
	requests int
	// refuse, when set, answers every request with this status and the
	// request echoed: a vendor refusing the credentials, carelessly.
	refuse int
}

func newFaultProxy(t *testing.T, target string, rate float64, seed uint64) (*faultProxy, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{target: u, rate: rate, rng: rand.New(rand.NewPCG(seed, 7))}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// Faults counts the faults the proxy made.
func (p *faultProxy) Faults() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// echo is a hostile error body: it repeats the request's headers and body,
// as a careless vendor's error page might, so that anything ccetl does
// with vendor messages is tested against its own credentials.
func echo(r *http.Request, body []byte) string {
	var b strings.Builder
	b.WriteString(`{"message":"failed: `)
	b.WriteString(strings.ReplaceAll(string(body), `"`, `'`))
	for k, v := range r.Header {
		fmt.Fprintf(&b, "; %s=%s", k, strings.Join(v, ","))
	}
	b.WriteString(`"}`)
	return b.String()
}

func (p *faultProxy) roll() (fault int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if p.requests == 1 && p.rate > 0 {
		p.faults++
		return 2 // the first request (a login, where there is one) meets a 503 that echoes it
	}
	x := p.rng.Float64()
	switch {
	case x < p.rate/3:
		fault = 1 // 500
	case x < 2*p.rate/3:
		fault = 2 // 503
	case x < p.rate:
		fault = 3 // body cut off
	}
	if fault != 0 {
		p.faults++
	}
	return fault
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault := p.roll()
	body, _ := io.ReadAll(r.Body)
	if p.refuse != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.refuse)
		io.WriteString(w, echo(r, body))
		return
	}
	switch fault {
	case 1, 2:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(map[int]int{1: http.StatusInternalServerError, 2: http.StatusServiceUnavailable}[fault])
		io.WriteString(w, echo(r, body))
		return
	}
	out, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target.Scheme+"://"+p.target.Host+r.URL.RequestURI(), bytes.NewReader(body))
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if fault != 3 || len(data) < 2 {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.WriteHeader(resp.StatusCode)
		w.Write(data)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(resp.StatusCode)
	w.Write(data[:len(data)/2])
	w.(http.Flusher).Flush()
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}
