package genesystest

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

type token struct {
	expires time.Time
	uses    int
}

// token is POST /oauth/token: the client credentials grant [ext]. It wants
// a form body with grant_type=client_credentials and HTTP Basic client
// id:secret, and answers {access_token, token_type, expires_in}. Errors
// are OAuth error bodies.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.counts.Logins++
	e.mu.Unlock()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "method not allowed")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "content type must be application/x-www-form-urlencoded")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != e.cfg.ClientID || secret != e.cfg.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client not found")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type is not supported")
		return
	}
	var b [24]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	e.mu.Lock()
	e.tokens[tok] = &token{expires: time.Now().Add(e.cfg.TokenTTL)}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": e.cfg.ExpiresIn})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "description": desc, "error_description": desc})
}

// authorized checks the bearer token of an API request and answers 401
// when it is missing, unknown, expired or used up.
func (e *Emulator) authorized(w http.ResponseWriter, r *http.Request) bool {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		e.unauthorized(w, "authentication.required", "No authentication bearer token specified in authorization header.")
		return false
	}
	e.mu.Lock()
	t := e.tokens[tok]
	ok := t != nil && time.Now().Before(t.expires) && (e.cfg.TokenUses == 0 || t.uses < e.cfg.TokenUses)
	if ok {
		t.uses++
	} else {
		delete(e.tokens, tok)
	}
	e.mu.Unlock()
	if !ok {
		e.unauthorized(w, "bad.credentials", "Invalid login credentials.")
	}
	return ok
}

func (e *Emulator) unauthorized(w http.ResponseWriter, code, msg string) {
	e.mu.Lock()
	e.counts.Unauthorized++
	e.mu.Unlock()
	writeError(w, http.StatusUnauthorized, code, msg)
}

// ExpireTokens makes every issued token stop working at once.
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.tokens)
}

// IssuedTokens lists the access tokens issued so far.
func (e *Emulator) IssuedTokens() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Collect(maps.Keys(e.tokens))
}
