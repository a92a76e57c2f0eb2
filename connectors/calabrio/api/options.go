package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
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
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage)"},
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

func parseConn(m map[string]string, p *apiopt.Problems) connOptions {
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
		p.Add("username is required")
	}
	if o.Password.IsZero() {
		p.Add("password is required")
	}
	switch o.LoginKey {
	case loginKeyUsername, loginKeyUserID, loginKeyBoth:
	default:
		p.Add("login_key must be username, userId or both")
	}
	o.Limits = apiopt.RateLimit(m, DefaultRateLimit, "2/1s,60/1m", p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, maxRetryBudget, p)
	o.RetryDelay = apiopt.Duration(m, "retry_delay", DefaultRetryDelay, time.Millisecond, time.Minute, p)
	o.Timeout = apiopt.Duration(m, "request_timeout", DefaultTimeout, 10*time.Millisecond, time.Hour, p)
	return o
}

func def(v, d string) string {
	if v = strings.TrimSpace(v); v == "" {
		return d
	}
	return v
}

func baseURL(v string, p *apiopt.Problems) string {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		p.Add("base_url is required (the tenant's Calabrio ONE host)")
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		p.Add("base_url: want an http(s) URL without a query or credentials")
	}
	return v
}

// withConnDocs returns the connection options followed by a kind's own.
func withConnDocs(own ...pipeline.Option) []pipeline.Option {
	return append(append([]pipeline.Option(nil), connOptionDocs...), own...)
}
