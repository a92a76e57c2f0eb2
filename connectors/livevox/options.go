package livevox

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the options.
const (
	DefaultConfigurationPath = "/configuration"
	DefaultSessionPath       = "/session"
	DefaultPageSize          = 1000 // the reference's hard cap on count
	// DefaultRateLimit is conservative: LiveVox documents no rate limit
	// (doc error 75; its API docs only say requests "may be subject to
	// rate limits"), so the connector sends at most 5 requests a second
	// until a tenant's real limit is known. A pull of N agents makes about
	// N+3 requests: 10,000 agents take about 35 minutes.
	DefaultRateLimit   = "5/1s"
	DefaultTimeout     = 60 * time.Second
	DefaultMaxAttempts = 8
	DefaultRetryDelay  = 500 * time.Millisecond
	DefaultRetryBudget = 100
	// DefaultConcurrency: enough agents in flight that the rate limit,
	// not the round trips of one read after another, bounds a pull.
	DefaultConcurrency = 8
)

// Options are the parsed options of the livevox-agents kind.
type Options struct {
	BaseURL           *url.URL
	AccessToken       pipeline.Secret
	ClientName        string
	Username          string
	Password          pipeline.Secret
	ClientID          string // "" lists the session's own client
	ConfigurationPath string // "/configuration", or with a version: "/configuration/v6.0"
	SessionPath       string
	PageSize          int
	RateLimit         []httpx.Window // nil: no limit
	Timeout           time.Duration
	MaxAttempts       int
	RetryDelay        time.Duration
	RetryBudget       int
	// CallCenters reads each agent's related objects for its call centers.
	CallCenters bool
	// Concurrency is how many agents' reads are in flight at once.
	Concurrency int
}

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "base_url", Doc: "LiveVox API root, such as https://api.livevox.com (required; the reference gives none)"},
	{Name: "access_token", Secret: true, Doc: "API access token, sent as LV-Access on the Session API login only (required)"},
	{Name: "client_name", Doc: "LiveVox client code the API user logs in to (Session API login clientName; required)"},
	{Name: "username", Doc: "API user name (Session API login userName; required). The user needs the Sysadmin, IT User or Superuser role, " +
		"or Manager with the Administer Agents power: listing agent skills is not open to Agents"},
	{Name: "password", Secret: true, Doc: "API user password (required)"},
	{Name: "client_id", Doc: "LiveVox client id to list (the client query parameter); empty lists the logged-in client"},
	{Name: "configuration_path", Default: DefaultConfigurationPath, Doc: "path of the Configuration API under base_url; add the tenant's version segment, e.g. /configuration/v6.0"},
	{Name: "session_path", Default: DefaultSessionPath, Doc: "path of the Session API under base_url (login and logout), e.g. /session/v6.0"},
	{Name: "call_centers", Default: "false", Doc: "also read each agent's call centers (Get Agent Related Objects: one more request per agent) into lv_agent_call_center"},
	{Name: "concurrency", Default: strconv.Itoa(DefaultConcurrency), Doc: "agents whose reads are in flight at once (1: one after another); rate_limit still spaces every request, and the agents are written in list order"},
	{Name: "page_size", Default: strconv.Itoa(DefaultPageSize), Doc: "count per list request, 1 to 1000 (the API's hard cap)"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "request windows N/duration, comma-separated (\"5/1s,200/1m\"), or none; " +
		"requests are spaced 5% wider than each window. LiveVox documents no limit; the default is a conservative guess"},
	{Name: "timeout", Default: DefaultTimeout.String(), Doc: "time limit of one HTTP attempt"},
	{Name: "max_attempts", Default: strconv.Itoa(DefaultMaxAttempts), Doc: "attempts per request, the first included, on 429, 5xx and dropped connections"},
	{Name: "retry_delay", Default: DefaultRetryDelay.String(), Doc: "base of the exponential backoff between attempts (full jitter, at most 30s)"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage); a run that stops fails and commits nothing"},
}

// ParseOptions reads the options, reporting every problem at once.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{
		AccessToken: pipeline.NewSecret(m["access_token"]), Password: pipeline.NewSecret(m["password"]),
		ClientName: m["client_name"], Username: m["username"], ClientID: strings.TrimSpace(m["client_id"]),
	}
	var p apiopt.Problems
	switch u, err := url.Parse(strings.TrimRight(m["base_url"], "/")); {
	case m["base_url"] == "":
		p.Add("base_url is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil:
		p.Add("base_url must be an http(s) URL without query or credentials")
	default:
		o.BaseURL = u
	}
	for _, req := range []struct{ name, v string }{{"access_token", o.AccessToken.Reveal()}, {"client_name", o.ClientName},
		{"username", o.Username}, {"password", o.Password.Reveal()}} {
		if req.v == "" {
			p.Add("%s is required", req.name)
		}
	}
	if o.ClientID != "" {
		if n, err := strconv.ParseInt(o.ClientID, 10, 64); err != nil || n <= 0 {
			p.Add("client_id must be a positive whole number")
		}
	}
	var err error
	if o.ConfigurationPath, err = apiPath(m["configuration_path"], DefaultConfigurationPath); err != nil {
		p.Add("configuration_path: %v", err)
	}
	if o.SessionPath, err = apiPath(m["session_path"], DefaultSessionPath); err != nil {
		p.Add("session_path: %v", err)
	}
	switch v := strings.ToLower(strings.TrimSpace(m["call_centers"])); v {
	case "", "false":
	case "true":
		o.CallCenters = true
	default:
		p.Add("call_centers must be true or false")
	}
	o.PageSize = apiopt.Int(m, "page_size", DefaultPageSize, 1, DefaultPageSize, &p)
	o.Concurrency = apiopt.Int(m, "concurrency", DefaultConcurrency, 1, 1024, &p)
	o.MaxAttempts = apiopt.Int(m, "max_attempts", DefaultMaxAttempts, 1, 100, &p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, 1<<30, &p)
	o.Timeout = apiopt.PositiveDuration(m, "timeout", DefaultTimeout, &p)
	o.RetryDelay = apiopt.PositiveDuration(m, "retry_delay", DefaultRetryDelay, &p)
	o.RateLimit = withMargins(apiopt.RateLimitOrNone(m, DefaultRateLimit, rateLimitExample, &p))
	if err := p.Err(KindName); err != nil {
		return Options{}, err
	}
	return o, nil
}

// apiPath cleans a path option: a leading slash, no trailing one.
func apiPath(v, def string) (string, error) {
	if v == "" {
		v = def
	}
	v = "/" + strings.Trim(v, "/")
	if strings.ContainsAny(v, "?#") || v == "/" {
		return "", errors.New("must be a path such as " + def)
	}
	return v, nil
}

const rateLimitExample = "5/1s,200/1m"

// ParseRateLimit reads "N/duration[,N/duration...]" ("5/1s,200/1m"), or
// "none" for no limit, with the kind's margins.
func ParseRateLimit(s string) ([]httpx.Window, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return nil, nil
	}
	ws, err := apiopt.ParseRateLimit(s, rateLimitExample+", or none")
	return withMargins(ws), err
}

// withMargins sets each window's margin.
func withMargins(ws []httpx.Window) []httpx.Window {
	for i := range ws {
		ws[i].Margin = margin(ws[i].Per)
	}
	return ws
}

// margin widens each window by 5% (at least 5ms) instead of httpx's 2%:
// LiveVox's limits are undocumented and its requests cross a WAN, where
// the time from the limiter to the server varies by more than 2% of a
// short window.
func margin(per time.Duration) time.Duration { return max(per/20, 5*time.Millisecond) }
