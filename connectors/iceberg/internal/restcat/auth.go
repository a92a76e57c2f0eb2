package restcat

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// issueToken is the OAuth2 token endpoint, POST /v1/oauth/tokens: the
// client credentials grant, form-encoded, answered with an access token or
// the spec's OAuthError.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	oauthError := func(code int, typ, desc string) {
		writeJSON(w, code, map[string]string{"error": typ, "error_description": desc})
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(http.StatusBadRequest, "invalid_request", "want a form-encoded body")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant type "+g+" is not supported")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if s.cfg.ClientID == "" || !equal(id, s.cfg.ClientID) || !equal(secret, s.cfg.ClientSecret) {
		s.mu.Lock()
		s.denied++
		s.mu.Unlock()
		oauthError(http.StatusUnauthorized, "invalid_client", "the client credentials are not valid")
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.scopes = append(s.scopes, r.PostForm.Get("scope"))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 3600,
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token"})
}

// authorized runs h when the request carries a valid authorization: a
// SigV4 signature when the server wants one, else a bearer token it
// issued or its static token. Otherwise it answers 401 (403 for a bad
// signature) with the spec's error body.
func (s *Server) authorized(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deny := func(code int, typ, msg string) {
			s.mu.Lock()
			s.denied++
			s.mu.Unlock()
			writeError(w, code, typ, msg)
		}
		if s.cfg.SigV4 != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				writeError(w, http.StatusBadRequest, "BadRequestException", "unreadable body")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := s.verifySigV4(r, body); err != nil {
				deny(http.StatusForbidden, "ForbiddenException", "signature: "+err.Error())
				return
			}
			h(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		valid := ok && (s.tokens[tok] || s.cfg.Token != "" && equal(tok, s.cfg.Token))
		s.mu.Unlock()
		if !valid {
			deny(http.StatusUnauthorized, "NotAuthorizedException", "not authorized")
			return
		}
		h(w, r)
	})
}

// verifySigV4 checks an AWS4-HMAC-SHA256 authorization by signing the
// request again, over the headers it names, with the server's credentials.
func (s *Server) verifySigV4(r *http.Request, body []byte) error {
	want := s.cfg.SigV4
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return errors.New("no AWS4-HMAC-SHA256 authorization")
	}
	fields := map[string]string{}
	for _, f := range strings.Split(rest, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(f), "="); ok {
			fields[k] = v
		}
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return errors.New("bad credential scope")
	}
	if scope[0] != want.Credentials.AccessKeyID || scope[2] != want.Region || scope[3] != want.Service {
		return fmt.Errorf("credential scope %s/%s/%s, want %s/%s/%s", scope[0], scope[2], scope[3],
			want.Credentials.AccessKeyID, want.Region, want.Service)
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(at).Abs() > 5*time.Minute {
		return errors.New("missing or stale X-Amz-Date")
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != payload {
		return errors.New("X-Amz-Content-Sha256 does not match the body")
	}
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	again, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return err
	}
	again.URL, again.Host = u, r.Host
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		switch h {
		case "host":
		case "content-length":
			again.ContentLength = r.ContentLength
		default:
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	if err := v4.NewSigner().SignHTTP(r.Context(), want.Credentials, again, payload, want.Service, want.Region, at); err != nil {
		return err
	}
	_, sig, _ := strings.Cut(again.Header.Get("Authorization"), "Signature=")
	if !hmac.Equal([]byte(sig), []byte(fields["Signature"])) {
		return errors.New("signature does not match")
	}
	return nil
}

// equal compares secrets in constant time.
func equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
