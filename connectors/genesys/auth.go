package genesys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Limiter keys: API requests share the rate_limit windows; token requests
// have their own key, which carries no window (Genesys counts API requests
// per OAuth client, and a run asks for a token once a day or after a 401).
const (
	limitAPI   = "genesys:api"
	limitLogin = "genesys:login"
)

// tokenPath is where client credentials are exchanged for a token [ext].
const tokenPath = "/oauth/token"

// minExpiry is the shortest lifetime worth renewing ahead of time: SessionAuth
// logs in again 30 seconds before Expires, so a shorter-lived token would
// cost a login per request. Such tokens are renewed after a 401 instead.
const minExpiry = time.Minute

// tokenResponse is the OAuth token endpoint's answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

var errNoToken = errors.New("token response has no access_token")

// newAuth returns the client-credentials Authenticator: POST
// <login_url>/oauth/token with grant_type=client_credentials and HTTP Basic
// client id:secret; the token goes out as "Authorization: Bearer <token>".
// httpx logs in on first use and again after a 401.
func newAuth(loginURL, clientID string, secret pipeline.Secret) *httpx.SessionAuth {
	return httpx.NewSessionAuth(func(ctx context.Context, c *httpx.Client) (httpx.Session, error) {
		return login(ctx, c, loginURL, clientID, secret, time.Now())
	}, nil)
}

func login(ctx context.Context, c *httpx.Client, loginURL, clientID string, secret pipeline.Secret, now time.Time) (httpx.Session, error) {
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitLogin), http.MethodPost, loginURL+tokenPath, strings.NewReader(form))
	if err != nil {
		return httpx.Session{}, fmt.Errorf("token request: %w", err)
	}
	req.SetBasicAuth(clientID, secret.Reveal())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return httpx.Session{}, err
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return httpx.Session{}, fmt.Errorf("POST %s: token response is not the documented JSON object", tokenPath)
	}
	if tr.AccessToken == "" {
		return httpx.Session{}, fmt.Errorf("POST %s: %w", tokenPath, errNoToken)
	}
	s := httpx.Session{Header: "Authorization", Value: pipeline.NewSecret("Bearer " + tr.AccessToken)}
	if life := time.Duration(tr.ExpiresIn) * time.Second; life >= minExpiry {
		s.Expires = now.Add(life)
	}
	return s, nil
}
