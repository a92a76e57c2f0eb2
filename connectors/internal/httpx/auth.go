package httpx

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// Authenticator puts credentials on requests and renews them when the
// server refuses them. Vendor connectors implement it (or use SessionAuth);
// StaticHeader and Bearer cover fixed tokens.
//
// The Client calls Apply on its own clone of every attempt, possibly from
// several goroutines at once. After a 401 (or a 403 with
// Config.ReauthOn403) it calls Refresh and retries the request. Credentials
// that never got an answer (a login the server refuses to honour) are
// given one refresh: a request refused again with fresh credentials gets
// a final refusal. Credentials that worked and then were refused (an
// expired session) are refreshed again, up to maxReauths times for one
// request: requests in flight together may use up a short session before
// a refused one is sent again. Refresh is never called concurrently with
// itself: when several requests are refused together, one refreshes and
// the others retry with the new credentials.
//
// c is the same Client without authentication (same limiter, retries, logs
// and counters), for logging in.
type Authenticator interface {
	// Apply sets the credentials on req, logging in first if need be.
	Apply(req *http.Request, c *Client) error
	// Refresh replaces credentials the server refused. It returns
	// ErrNoRefresh when it cannot (a static token), and the refusal is
	// returned to the caller at once.
	Refresh(ctx context.Context, c *Client) error
}

// Logouter is an Authenticator with a session to end; Client.Close calls
// Logout.
type Logouter interface {
	Logout(ctx context.Context, c *Client) error
}

// ErrNoRefresh is returned by Refresh when the credentials cannot be
// renewed.
var ErrNoRefresh = errors.New("httpx: credentials cannot be refreshed")

// StaticHeader sends a fixed credential in one header, such as MaestroQA's
// StaticHeader{Name: "apiToken", Value: token}.
type StaticHeader struct {
	Name  string
	Value pipeline.Secret
}

// Bearer sends "Authorization: Bearer <token>" (Cresta, or a Genesys token
// obtained elsewhere).
func Bearer(token pipeline.Secret) StaticHeader {
	return StaticHeader{Name: "Authorization", Value: pipeline.NewSecret("Bearer " + token.Reveal())}
}

// Apply sets the header.
func (h StaticHeader) Apply(req *http.Request, _ *Client) error {
	req.Header.Set(h.Name, h.Value.Reveal())
	return nil
}

// Refresh returns ErrNoRefresh: a static token that was refused stays
// refused.
func (h StaticHeader) Refresh(context.Context, *Client) error { return ErrNoRefresh }

// Session is a credential obtained by logging in, sent in one header.
type Session struct {
	// Header and Value, for example "Cookie" and
	// "hazelcast.sessionId=<id>" (Calabrio), "LV-Session" and "<id>"
	// (LiveVox), "Authorization" and "Bearer <token>" (Genesys OAuth).
	Header string
	Value  pipeline.Secret
	// Expires, when set, makes Apply log in again 30 seconds before it.
	Expires time.Time
}

// LoginFunc obtains a session, sending its requests through c.
type LoginFunc func(ctx context.Context, c *Client) (Session, error)

// LogoutFunc ends session s.
type LogoutFunc func(ctx context.Context, c *Client, s Session) error

// SessionAuth is an Authenticator for login-based schemes: it logs in on
// first use, again before the session expires and after a refusal, and
// logs out on Close. Vendor code supplies only the two functions.
type SessionAuth struct {
	login  LoginFunc
	logout LogoutFunc

	mu   sync.Mutex
	cur  Session
	have bool
}

// NewSessionAuth returns a SessionAuth; logout may be nil.
func NewSessionAuth(login LoginFunc, logout LogoutFunc) *SessionAuth {
	return &SessionAuth{login: login, logout: logout}
}

const expirySkew = 30 * time.Second

// maxReauths bounds the refreshes one request may cause after sessions
// that worked.
const maxReauths = 10

// Apply logs in if there is no live session and sets the session header.
func (a *SessionAuth) Apply(req *http.Request, c *Client) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.have || (!a.cur.Expires.IsZero() && time.Until(a.cur.Expires) < expirySkew) {
		if err := a.loginLocked(req.Context(), c); err != nil {
			return err
		}
	}
	req.Header.Set(a.cur.Header, a.cur.Value.Reveal())
	return nil
}

// Refresh logs in again.
func (a *SessionAuth) Refresh(ctx context.Context, c *Client) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.loginLocked(ctx, c)
}

// Logout ends the current session, if any.
func (a *SessionAuth) Logout(ctx context.Context, c *Client) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.have || a.logout == nil {
		a.have = false
		return nil
	}
	a.have = false
	return a.logout(ctx, c, a.cur)
}

func (a *SessionAuth) loginLocked(ctx context.Context, c *Client) error {
	s, err := a.login(ctx, c)
	if err != nil {
		a.have = false
		return err
	}
	a.cur, a.have = s, true
	return nil
}

// authState makes concurrent refusals share one Refresh: each attempt
// notes the generation of the credentials it was sent with, and only an
// attempt refused with the current generation refreshes.
type authState struct {
	a   Authenticator
	mu  sync.Mutex
	gen atomic.Uint64
	// ok is one more than the latest generation that got an answer (0:
	// none yet).
	ok atomic.Uint64
}

// worked notes that credentials of generation gen got an answer.
func (s *authState) worked(gen uint64) {
	for {
		cur := s.ok.Load()
		if cur > gen || s.ok.CompareAndSwap(cur, gen+1) {
			return
		}
	}
}

// refreshes counts one request's refreshes: after credentials that
// worked, and after credentials that never got an answer.
type refreshes struct{ worked, fresh int }

// mayRefresh says whether a request refused with credentials of
// generation gen may refresh them and go again: once after credentials
// that never worked (a second such refusal is final), up to maxReauths
// times after credentials that worked.
func (s *authState) mayRefresh(gen uint64, n *refreshes) bool {
	if s.ok.Load() > gen {
		n.worked++
		return n.worked <= maxReauths
	}
	n.fresh++
	return n.fresh <= 1
}

func (s *authState) refresh(ctx context.Context, gen uint64, c *Client, st *counters) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen.Load() != gen {
		return nil // someone else refreshed since this attempt was sent
	}
	if err := s.a.Refresh(ctx, c); err != nil {
		return err
	}
	st.reauths.Add(1)
	s.gen.Add(1)
	return nil
}
