package iceberg

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog/rest"
)

// openRESTCatalog connects to the Iceberg REST catalog at catalog_uri:
// it authenticates (an OAuth2 client credentials token, a bearer token or
// AWS SigV4 signatures) and reads the catalog's config for the warehouse.
// The warehouse's S3 settings become the tables' file IO properties,
// under what the catalog returns with a table (vended credentials).
func openRESTCatalog(ctx context.Context, o Options) (*rest.Catalog, error) {
	r := o.REST
	props := iceberg.Properties{}
	for k, v := range s3Props(o) {
		props[k] = v
	}
	opts := []rest.Option{rest.WithAdditionalProps(props)}
	if r.Warehouse != "" {
		opts = append(opts, rest.WithWarehouseLocation(r.Warehouse))
	}
	switch {
	case !r.Credential.IsZero():
		opts = append(opts, rest.WithCredential(r.Credential.Reveal()))
	case !r.Token.IsZero():
		opts = append(opts, rest.WithOAuthToken(r.Token.Reveal()))
	}
	if r.OAuth2ServerURI != "" {
		u, err := url.Parse(r.OAuth2ServerURI)
		if err != nil {
			return nil, fmt.Errorf("iceberg catalog (rest): oauth2_server_uri: %w", err)
		}
		opts = append(opts, rest.WithAuthURI(u))
	}
	if r.Scope != "" {
		opts = append(opts, rest.WithScope(r.Scope))
	}
	if r.SigV4 {
		opts = append(opts, rest.WithSigV4RegionSvc(r.SigningRegion, r.SigningName))
	}
	if r.Prefix != "" {
		opts = append(opts, rest.WithPrefix(r.Prefix))
	}
	cat, err := rest.NewCatalog(ctx, o.CatalogName, o.CatalogURI.Reveal(), opts...)
	if err != nil {
		return nil, fmt.Errorf("iceberg catalog (rest): %w", redact(err, o.secrets()...))
	}
	return cat, nil
}

// secrets are the option values no message may show.
func (o Options) secrets() []string {
	out := []string{o.CatalogURI.Reveal(), o.REST.Credential.Reveal(), o.REST.Token.Reveal(),
		o.AccessKeyID.Reveal(), o.SecretAccessKey.Reveal(), o.SessionToken.Reveal()}
	if _, secret, ok := strings.Cut(o.REST.Credential.Reveal(), ":"); ok {
		out = append(out, secret)
	}
	if u, err := url.Parse(o.CatalogURI.Reveal()); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	return out
}

// redactedError is an error whose message has the secrets cut out; it
// still unwraps to the original, for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every secret (of three characters or more) in
// its message replaced by [redacted]. The catalog URI is kept when it is
// a plain http(s) URL, which names the server rather than a credential.
func redact(err error, secrets ...string) error {
	msg := err.Error()
	for _, s := range secrets {
		if len(s) < 3 || isPlainURL(s) {
			continue
		}
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// isPlainURL reports whether s is an http(s) URL without user info.
func isPlainURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.User == nil
}
