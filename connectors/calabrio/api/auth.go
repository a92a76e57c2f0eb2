package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// AuthorizePath is where sessions are made (POST) and ended (DELETE).
const AuthorizePath = "/api/rest/authorize"

// CookieName is the session cookie. The prose spells it
// "hazelcast.sessionID"; the example and the Transcript Export curl, which
// this follows, "hazelcast.sessionId" (doc error 3).
const CookieName = "hazelcast.sessionId"

// limitAuth is the limiter key of logins and logouts: they draw on the
// vendor windows like every other request.
const limitAuth = vendor + ":auth"

var errNoSession = errors.New("authorize response has no sessionId")

// newAuth is the Calabrio Authenticator: POST /api/rest/authorize with the
// credentials as JSON, the sessionId of the answer sent as the cookie
// hazelcast.sessionId on every request; httpx logs in on first use and
// again after a 401 or 403 (once, then the refusal is final), and Close
// sends DELETE /api/rest/authorize to the tenant host.
func newAuth(o connOptions) *httpx.SessionAuth {
	return httpx.NewSessionAuth(
		func(ctx context.Context, c *httpx.Client) (httpx.Session, error) { return login(ctx, c, o) },
		func(ctx context.Context, c *httpx.Client, s httpx.Session) error { return logout(ctx, c, o.BaseURL, s) },
	)
}

// loginBody is the POST body. The field table says userId, the POST
// example username (doc error 1): login_key picks one or both. language is
// "required" with "Default = en" (doc error 2), so it is always sent.
func loginBody(o connOptions) ([]byte, error) {
	m := map[string]string{"password": o.Password.Reveal(), "locale": o.Locale, "language": o.Language}
	switch o.LoginKey {
	case loginKeyUserID:
		m["userId"] = o.Username
	case loginKeyBoth:
		m["userId"] = o.Username
		m["username"] = o.Username
	default:
		m["username"] = o.Username
	}
	if o.TenantID != "" {
		m["tenantId"] = o.TenantID
	}
	return json.Marshal(m)
}

func login(ctx context.Context, c *httpx.Client, o connOptions) (httpx.Session, error) {
	body, err := loginBody(o)
	if err != nil {
		return httpx.Session{}, err
	}
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitAuth), http.MethodPost, o.BaseURL+AuthorizePath, bytes.NewReader(body))
	if err != nil {
		return httpx.Session{}, fmt.Errorf("authorize request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return httpx.Session{}, fmt.Errorf("log in: %w", err)
	}
	id := sessionID(resp.Body)
	if id == "" {
		return httpx.Session{}, fmt.Errorf("log in: POST %s: %w", AuthorizePath, errNoSession)
	}
	// No Expires: the timeout is "two hours of inactivity" while the answer
	// says "sessionTimeout":"60" without a unit (doc error 4); an expired
	// session is renewed after its 401 or 403 instead.
	return httpx.Session{Header: "Cookie", Value: pipeline.NewSecret(CookieName + "=" + id)}, nil
}

// sessionRE finds the sessionId in an answer that is not valid JSON: the
// reference's own example has trailing commas and a missing comma (doc
// error 7).
var sessionRE = regexp.MustCompile(`"sessionId"\s*:\s*"([^"\\]+)"`)

// sessionID returns the sessionId of an authorize answer, "" if it has none.
func sessionID(body []byte) string {
	var r struct {
		SessionID string `json:"sessionId"`
	}
	if json.Unmarshal(body, &r) == nil {
		return r.SessionID
	}
	if m := sessionRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

// logout ends session s on the tenant host. A session the server already
// dropped (401 or 403) is as good as ended.
func logout(ctx context.Context, c *httpx.Client, base string, s httpx.Session) error {
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitAuth), http.MethodDelete, base+AuthorizePath, nil)
	if err != nil {
		return err
	}
	req.Header.Set(s.Header, s.Value.Reveal())
	_, err = c.Do(req)
	if se, ok := errors.AsType[*httpx.StatusError](err); ok && (se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden) {
		return nil
	}
	return err
}
