package genesys

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the options.
const (
	DefaultLoginURL        = "https://login.mypurecloud.com"
	DefaultAPIURL          = "https://api.mypurecloud.com"
	DefaultWindowDays      = 7
	DefaultRepullDays      = 14
	DefaultPageSize        = 100
	MaxPageSize            = 100
	DefaultUsersPerRequest = 50
	DefaultRateLimit       = "300/1m"
	DefaultRetryBudget     = 50
	// DefaultConcurrency: enough appointments in flight that the rate
	// limit, not the round trips of one request after another, bounds a
	// pull.
	DefaultConcurrency = 8
)

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "login_url", Default: DefaultLoginURL, Doc: "OAuth host of the Genesys Cloud region; the token comes from POST <login_url>/oauth/token"},
	{Name: "api_url", Default: DefaultAPIURL, Doc: "API host of the Genesys Cloud region"},
	{Name: "client_id", Doc: "OAuth client id (client credentials grant); required"},
	{Name: "client_secret", Secret: true, Doc: "OAuth client secret; required"},
	{Name: "user_ids", Doc: "comma-separated Genesys user ids whose appointments are pulled (wire name userIds); without it the kind lists the organization's active users (GET /api/v2/users), writes them to gen_user and pulls the appointments of them all"},
	{Name: "start", Doc: "first day to pull, YYYY-MM-DD (UTC); without it the run resumes from the saved cursor less repull_days"},
	{Name: "end", Doc: "day after the last day to pull, YYYY-MM-DD (exclusive); default: the day after the run's date"},
	{Name: "window_days", Default: strconv.Itoa(DefaultWindowDays), Doc: "days per pulled interval; windows lie on a fixed grid of this many days from 1970-01-01, keep it fixed for a lake"},
	{Name: "repull_days", Default: strconv.Itoa(DefaultRepullDays), Doc: "days before the saved cursor pulled again on a resumed run (appointments, statuses and annotations change after the fact)"},
	{Name: "page_size", Default: strconv.Itoa(DefaultPageSize), Doc: "pageSize of every list request, 1 to 100"},
	{Name: "users_per_request", Default: strconv.Itoa(DefaultUsersPerRequest), Doc: "user ids per appointments request (bounds the URL length)"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "API request windows, comma-separated N/duration (e.g. 300/1m,20/1s); Genesys limits each OAuth client to 300 requests a minute by default"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage)"},
	{Name: "concurrency", Default: strconv.Itoa(DefaultConcurrency), Doc: "appointments whose status history and annotations are read at once (1: one after another); rate_limit still spaces every request, and the rows are written in list order"},
}

// Options are the parsed options of the kind.
type Options struct {
	LoginURL        string
	APIURL          string
	ClientID        string
	ClientSecret    pipeline.Secret
	UserIDs         []string // sorted, unique; none: every user of the organization
	Start, End      time.Time
	WindowDays      int
	RepullDays      int
	PageSize        int
	UsersPerRequest int
	Limits          []httpx.Window
	RetryBudget     int
	Concurrency     int
}

// ParseOptions reads the kind's options and reports every problem at once.
func ParseOptions(m map[string]string) (Options, error) {
	var p apiopt.Problems
	o := Options{
		ClientID:     strings.TrimSpace(m["client_id"]),
		ClientSecret: pipeline.NewSecret(m["client_secret"]),
	}
	o.LoginURL = baseURL(m, "login_url", DefaultLoginURL, &p)
	o.APIURL = baseURL(m, "api_url", DefaultAPIURL, &p)
	if o.ClientID == "" {
		p.Add("client_id is required")
	}
	if o.ClientSecret.IsZero() {
		p.Add("client_secret is required")
	}
	ids, err := splitIDs(m["user_ids"])
	p.Append(err)
	o.UserIDs = ids
	o.Start = apiopt.Day(m, "start", &p)
	o.End = apiopt.Day(m, "end", &p)
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		p.Add("end must be after start (end is exclusive)")
	}
	o.WindowDays = apiopt.Int(m, "window_days", DefaultWindowDays, 1, 366, &p)
	o.RepullDays = apiopt.Int(m, "repull_days", DefaultRepullDays, 0, 3660, &p)
	o.PageSize = apiopt.Int(m, "page_size", DefaultPageSize, 1, MaxPageSize, &p)
	o.UsersPerRequest = apiopt.Int(m, "users_per_request", DefaultUsersPerRequest, 1, 1000, &p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, 1_000_000, &p)
	o.Limits = apiopt.RateLimit(m, DefaultRateLimit, "300/1m,20/1s", &p)
	o.Concurrency = apiopt.Int(m, "concurrency", DefaultConcurrency, 1, 1024, &p)
	if err := p.Err(KindName); err != nil {
		return Options{}, err
	}
	return o, nil
}

func baseURL(m map[string]string, name, def string, p *apiopt.Problems) string {
	v := strings.TrimRight(strings.TrimSpace(m[name]), "/")
	if v == "" {
		v = def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		p.Add("%s: want an http(s) URL without a query", name)
	}
	return v
}

// splitIDs reads a comma-separated id list into a sorted set.
func splitIDs(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var ids []string
	for i, part := range strings.Split(s, ",") {
		id := strings.TrimSpace(part)
		if id == "" {
			return nil, fmt.Errorf("user_ids: item %d is empty", i+1)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
