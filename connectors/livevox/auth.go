package livevox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// sessionHeader carries the session id on every Configuration API request.
const sessionHeader = "LV-Session"

// session logs in to and out of the LiveVox Session API ([ext], SPEC.md
// 1.1): POST <session_path>/login with the access token in LV-Access and
// the user's credentials in the body; DELETE <session_path>/logout with
// LV-Session. A session stays valid while it is used once in a rolling
// two-hour window, so the connector sets no expiry: httpx logs in again
// when a request is refused with 401.
type session struct {
	o *Options
	// clientID is the clientId of the last login: the client whose agents
	// are listed when the client_id option is empty.
	clientID atomic.Int64
}

func (s *session) authenticator() *httpx.SessionAuth {
	return httpx.NewSessionAuth(s.login, s.logout)
}

func (s *session) url(op string) string {
	return s.o.BaseURL.String() + s.o.SessionPath + "/" + op
}

func (s *session) login(ctx context.Context, c *httpx.Client) (httpx.Session, error) {
	body, err := json.Marshal(struct {
		ClientName string `json:"clientName"`
		UserName   string `json:"userName"`
		Password   string `json:"password"`
		Agent      bool   `json:"agent"`
	}{s.o.ClientName, s.o.Username, s.o.Password.Reveal(), false})
	if err != nil {
		return httpx.Session{}, err
	}
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitKey), http.MethodPost, s.url("login"), bytes.NewReader(body))
	if err != nil {
		return httpx.Session{}, err
	}
	jsonHeaders(req)
	req.Header.Set("LV-Access", s.o.AccessToken.Reveal())
	resp, err := c.Do(req)
	if err != nil {
		return httpx.Session{}, fmt.Errorf("livevox login: %w", err)
	}
	var out struct {
		SessionID string          `json:"sessionId"`
		ClientID  json.RawMessage `json:"clientId"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.SessionID == "" {
		return httpx.Session{}, errors.New("livevox login: the response has no sessionId")
	}
	if id, err := asID(out.ClientID); err == nil {
		s.clientID.Store(id)
	}
	return httpx.Session{Header: sessionHeader, Value: pipeline.NewSecret(out.SessionID)}, nil
}

// logout ends the session. It is sent once: a failed logout only leaves a
// session that times out by itself.
func (s *session) logout(ctx context.Context, c *httpx.Client, cur httpx.Session) error {
	ctx = httpx.WithoutRetry(httpx.WithLimitKey(ctx, limitKey))
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.url("logout"), nil)
	if err != nil {
		return err
	}
	jsonHeaders(req)
	req.Header.Set(cur.Header, cur.Value.Reveal())
	if _, err := c.Do(req); err != nil {
		return fmt.Errorf("livevox logout: %w", err)
	}
	return nil
}

// jsonHeaders sets what every example of the reference sends.
func jsonHeaders(req *http.Request) {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
}
