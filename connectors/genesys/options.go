package genesys

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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
)

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "login_url", Default: DefaultLoginURL, Doc: "OAuth host of the Genesys Cloud region; the token comes from POST <login_url>/oauth/token"},
	{Name: "api_url", Default: DefaultAPIURL, Doc: "API host of the Genesys Cloud region"},
	{Name: "client_id", Doc: "OAuth client id (client credentials grant); required"},
	{Name: "client_secret", Secret: true, Doc: "OAuth client secret; required"},
	{Name: "user_ids", Doc: "comma-separated Genesys user ids whose appointments are pulled (wire name userIds); required"},
	{Name: "start", Doc: "first day to pull, YYYY-MM-DD (UTC); without it the run resumes from the saved cursor less repull_days"},
	{Name: "end", Doc: "day after the last day to pull, YYYY-MM-DD (exclusive); default: the day after the run's date"},
	{Name: "window_days", Default: strconv.Itoa(DefaultWindowDays), Doc: "days per pulled interval; windows lie on a fixed grid of this many days from 1970-01-01, keep it fixed for a lake"},
	{Name: "repull_days", Default: strconv.Itoa(DefaultRepullDays), Doc: "days before the saved cursor pulled again on a resumed run (appointments, statuses and annotations change after the fact)"},
	{Name: "page_size", Default: strconv.Itoa(DefaultPageSize), Doc: "pageSize of every list request, 1 to 100"},
	{Name: "users_per_request", Default: strconv.Itoa(DefaultUsersPerRequest), Doc: "user ids per appointments request (bounds the URL length)"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "API request windows, comma-separated N/duration (e.g. 300/1m,20/1s); Genesys limits each OAuth client to 300 requests a minute by default"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries allowed in the whole run before it stops"},
}

// Options are the parsed options of the kind.
type Options struct {
	LoginURL        string
	APIURL          string
	ClientID        string
	ClientSecret    pipeline.Secret
	UserIDs         []string // sorted, unique
	Start, End      time.Time
	WindowDays      int
	RepullDays      int
	PageSize        int
	UsersPerRequest int
	Limits          []httpx.Window
	RetryBudget     int
}

// ParseOptions reads the kind's options and reports every problem at once.
func ParseOptions(m map[string]string) (Options, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	o := Options{
		LoginURL:     baseURL(m, "login_url", DefaultLoginURL, &errs),
		APIURL:       baseURL(m, "api_url", DefaultAPIURL, &errs),
		ClientID:     strings.TrimSpace(m["client_id"]),
		ClientSecret: pipeline.NewSecret(m["client_secret"]),
	}
	if o.ClientID == "" {
		bad("client_id is required")
	}
	if o.ClientSecret.IsZero() {
		bad("client_secret is required")
	}
	ids, err := splitIDs(m["user_ids"])
	if err != nil {
		errs = append(errs, err)
	}
	o.UserIDs = ids
	o.Start = day(m, "start", &errs)
	o.End = day(m, "end", &errs)
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		bad("end must be after start (end is exclusive)")
	}
	o.WindowDays = count(m, "window_days", DefaultWindowDays, 1, 366, &errs)
	o.RepullDays = count(m, "repull_days", DefaultRepullDays, 0, 3660, &errs)
	o.PageSize = count(m, "page_size", DefaultPageSize, 1, MaxPageSize, &errs)
	o.UsersPerRequest = count(m, "users_per_request", DefaultUsersPerRequest, 1, 1000, &errs)
	o.RetryBudget = count(m, "retry_budget", DefaultRetryBudget, 0, 1_000_000, &errs)
	rl := m["rate_limit"]
	if rl == "" {
		rl = DefaultRateLimit
	}
	if o.Limits, err = ParseRateLimit(rl); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	return o, nil
}

// ParseRateLimit reads comma-separated N/duration windows such as
// "300/1m,20/1s".
func ParseRateLimit(s string) ([]httpx.Window, error) {
	var ws []httpx.Window
	for part := range strings.SplitSeq(s, ",") {
		n, per, ok := strings.Cut(strings.TrimSpace(part), "/")
		r, err1 := strconv.Atoi(n)
		d, err2 := time.ParseDuration(per)
		if !ok || err1 != nil || err2 != nil || r < 1 || d <= 0 {
			return nil, fmt.Errorf("rate_limit %q: want N/duration windows such as 300/1m,20/1s", s)
		}
		ws = append(ws, httpx.Window{Requests: r, Per: d})
	}
	return ws, nil
}

func baseURL(m map[string]string, name, def string, errs *[]error) string {
	v := strings.TrimRight(strings.TrimSpace(m[name]), "/")
	if v == "" {
		v = def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		*errs = append(*errs, fmt.Errorf("%s: want an http(s) URL without a query", name))
	}
	return v
}

// splitIDs reads a comma-separated id list into a sorted set.
func splitIDs(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("user_ids is required (comma-separated Genesys user ids)")
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

func day(m map[string]string, name string, errs *[]error) time.Time {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: want a date YYYY-MM-DD", name))
	}
	return t
}

func count(m map[string]string, name string, def, lo, hi int, errs *[]error) int {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		*errs = append(*errs, fmt.Errorf("%s: want a whole number from %d to %d", name, lo, hi))
		return def
	}
	return n
}
