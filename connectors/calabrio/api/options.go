package api

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the connection options.
const (
	DefaultLoginKey     = "username"
	DefaultLocale       = "en"
	DefaultLanguage     = "en"
	DefaultRateLimit    = "2/1s"
	DefaultRetryBudget  = 50
	DefaultRetryDelay   = 500 * time.Millisecond
	DefaultTimeout      = 60 * time.Second
	DefaultRepullDays   = 1
	maxRetryBudget      = 1_000_000
	loginKeyUsername    = "username"
	loginKeyUserID      = "userId"
	loginKeyBoth        = "both"
	day                 = 24 * time.Hour
	maxDays             = 3660
	defaultPollInterval = 5 * time.Second
)

// connOptionDocs are the options every Calabrio pull kind takes: where the
// tenant is, how to log in and how hard to push it.
var connOptionDocs = []pipeline.Option{
	{Name: "base_url", Doc: "the tenant's Calabrio ONE host, e.g. https://example.calabriocloud.com (required); " +
		"login, every request and the logout go there (the reference hard-codes https://calabriocloud.com for the logout, doc error 6)"},
	{Name: "username", Doc: "the API user's User Name, an email address (required)"},
	{Name: "password", Secret: true, Doc: "the API user's password (required)"},
	{Name: "login_key", Default: DefaultLoginKey, Doc: "JSON key the user name is sent under in POST /api/rest/authorize: " +
		"username (as the reference's POST example), userId (as its field table and GET example; doc error 1) or both"},
	{Name: "tenant_id", Doc: "tenantId sent at login, needed when the credentials exist in more than one tenant"},
	{Name: "locale", Default: DefaultLocale, Doc: "locale sent at login"},
	{Name: "language", Default: DefaultLanguage, Doc: "language sent at login (\"required\", \"Default = en\")"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "request windows, comma-separated N/duration (e.g. 2/1s,60/1m); " +
		"Calabrio documents no rate limit, so the default is conservative"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries allowed in the whole run before it stops"},
	{Name: "retry_delay", Default: DefaultRetryDelay.String(), Doc: "first backoff before a retry of a 429, 5xx or dropped connection (doubles, full jitter, up to 30s)"},
	{Name: "request_timeout", Default: DefaultTimeout.String(), Doc: "time one request attempt may take"},
}

// connOptions are the parsed connection options.
type connOptions struct {
	BaseURL     string
	Username    string
	Password    pipeline.Secret
	LoginKey    string
	TenantID    string
	Locale      string
	Language    string
	Limits      []httpx.Window
	RetryBudget int
	RetryDelay  time.Duration
	Timeout     time.Duration
}

// problems collects option errors so that every one is reported at once.
type problems []error

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

func (p problems) err(kind string) error {
	if err := errors.Join(p...); err != nil {
		return fmt.Errorf("kind %s: %w", kind, err)
	}
	return nil
}

func parseConn(m map[string]string, p *problems) connOptions {
	o := connOptions{
		Username: strings.TrimSpace(m["username"]),
		Password: pipeline.NewSecret(m["password"]),
		LoginKey: def(m["login_key"], DefaultLoginKey),
		TenantID: strings.TrimSpace(m["tenant_id"]),
		Locale:   def(m["locale"], DefaultLocale),
		Language: def(m["language"], DefaultLanguage),
	}
	o.BaseURL = baseURL(m["base_url"], p)
	if o.Username == "" {
		p.add("username is required")
	}
	if o.Password.IsZero() {
		p.add("password is required")
	}
	switch o.LoginKey {
	case loginKeyUsername, loginKeyUserID, loginKeyBoth:
	default:
		p.add("login_key must be username, userId or both")
	}
	var err error
	if o.Limits, err = parseRateLimit(def(m["rate_limit"], DefaultRateLimit)); err != nil {
		*p = append(*p, err)
	}
	o.RetryBudget = intOpt(m, "retry_budget", DefaultRetryBudget, 0, maxRetryBudget, p)
	o.RetryDelay = durOpt(m, "retry_delay", DefaultRetryDelay, time.Millisecond, time.Minute, p)
	o.Timeout = durOpt(m, "request_timeout", DefaultTimeout, 10*time.Millisecond, time.Hour, p)
	return o
}

func def(v, d string) string {
	if v = strings.TrimSpace(v); v == "" {
		return d
	}
	return v
}

func baseURL(v string, p *problems) string {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		p.add("base_url is required (the tenant's Calabrio ONE host)")
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		p.add("base_url: want an http(s) URL without a query or credentials")
	}
	return v
}

// parseRateLimit reads comma-separated N/duration windows such as
// "2/1s,60/1m".
func parseRateLimit(s string) ([]httpx.Window, error) {
	var ws []httpx.Window
	for part := range strings.SplitSeq(s, ",") {
		n, per, ok := strings.Cut(strings.TrimSpace(part), "/")
		r, err1 := strconv.Atoi(n)
		d, err2 := time.ParseDuration(per)
		if !ok || err1 != nil || err2 != nil || r < 1 || d <= 0 {
			return nil, fmt.Errorf("rate_limit %q: want N/duration windows such as 2/1s,60/1m", s)
		}
		ws = append(ws, httpx.Window{Requests: r, Per: d})
	}
	return ws, nil
}

func intOpt(m map[string]string, name string, d, lo, hi int, p *problems) int {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return d
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.add("%s: want a whole number from %d to %d", name, lo, hi)
		return d
	}
	return n
}

func durOpt(m map[string]string, name string, d, lo, hi time.Duration, p *problems) time.Duration {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return d
	}
	x, err := time.ParseDuration(v)
	if err != nil || x < lo || x > hi {
		p.add("%s: want a duration from %v to %v", name, lo, hi)
		return d
	}
	return x
}

func boolOpt(m map[string]string, name string, p *problems) bool {
	switch strings.ToLower(strings.TrimSpace(m[name])) {
	case "", "false", "no", "0":
		return false
	case "true", "yes", "1":
		return true
	}
	p.add("%s: want true or false", name)
	return false
}

func dayOpt(m map[string]string, name string, p *problems) time.Time {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		p.add("%s: want a date YYYY-MM-DD", name)
		return time.Time{}
	}
	return t
}

// withConnDocs returns the connection options followed by a kind's own.
func withConnDocs(own ...pipeline.Option) []pipeline.Option {
	return append(append([]pipeline.Option(nil), connOptionDocs...), own...)
}
