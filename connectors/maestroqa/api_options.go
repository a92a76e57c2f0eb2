package maestroqa

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults and bounds of the maestroqa-coaching-api options.
const (
	DefaultBaseURL        = "https://app.maestroqa.com"
	DefaultTimeAxis       = "createdAt"
	DefaultWindowDays     = 30
	MaxWindowDays         = 90 // "endDate ... must be within 90 days of the start date"
	DefaultRepullDays     = 7
	DefaultRateLimit      = "1/1s,30/1m" // the "Hard Endpoints" bucket
	DefaultRetryBudget    = 50
	DefaultMaxAttempts    = 8
	DefaultRetryDelay     = time.Second
	DefaultRequestTimeout = 5 * time.Minute
	DefaultMaxBodyBytes   = 4 << 30
)

// APIOptionDocs documents the maestroqa-coaching-api options.
var APIOptionDocs = []pipeline.Option{
	{Name: "base_url", Default: DefaultBaseURL, Doc: "MaestroQA host; the export is POST <base_url>/api/v1/coaching-sessions (the path is not in the reference, doc error 57)"},
	{Name: "api_token", Secret: true, Doc: "API token, sent in the apiToken request header (required; MaestroQA tokens expire after 90 days by default)"},
	{Name: "time_axis", Default: DefaultTimeAxis, Doc: "timeAxis of the export: createdAt (recommended for incremental runs: it never changes) or meetingDate"},
	{Name: "start", Doc: "first day to pull, YYYY-MM-DD (UTC), for a backfill; without it the run resumes from the saved cursor less repull_days"},
	{Name: "end", Doc: "first day NOT to pull, YYYY-MM-DD (exclusive); default: the day after the run's date"},
	{Name: "window_days", Default: strconv.Itoa(DefaultWindowDays), Doc: "days per request, 1 to 90; windows lie on a fixed grid of this many days from 1970-01-01 " +
		"so a rerun asks for the same windows and replaces their files: keep it fixed for a lake"},
	{Name: "repull_days", Default: strconv.Itoa(DefaultRepullDays), Doc: "days before the saved cursor pulled again on a resumed run (sessions, points and to-dos change after they are created)"},
	{Name: "end_date", Default: "inclusive", Doc: "how the API reads endDate, which the reference does not say (doc error 60): inclusive (endDate is the window's last day) " +
		"or exclusive (endDate is the next window's first day); keep it fixed for a lake"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "request windows, comma-separated N/duration; the reference gives 1 a second and 30 a minute, \"subject to change\""},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage); a run that stops keeps the windows it checkpointed"},
	{Name: "max_attempts", Default: strconv.Itoa(DefaultMaxAttempts), Doc: "attempts per request, the first included, on 429, 5xx and failed connections; also the times a window is asked again after its body broke off"},
	{Name: "retry_delay", Default: DefaultRetryDelay.String(), Doc: "base of the exponential backoff between attempts (full jitter, at most 30s; the API sends no Retry-After)"},
	{Name: "request_timeout", Default: DefaultRequestTimeout.String(), Doc: "time to wait for the response headers, and then for each read of the body"},
	{Name: "duplicates", Default: "first", Doc: "which copy of a coaching point or to-do repeated in several windows is written: first (one pass, one body on disk at a time) " +
		"or latest (the latest updatedAt; keeps every window's body in spool_dir until the run ends)"},
	{Name: "spool_dir", Doc: "folder for the response bodies while they are decoded (default: the system temporary folder)"},
	{Name: "max_body_bytes", Default: strconv.FormatInt(DefaultMaxBodyBytes, 10), Doc: "largest response body spooled; a larger one fails the run: use smaller windows"},
}

// APIOptions are the parsed options of the maestroqa-coaching-api kind.
type APIOptions struct {
	BaseURL        string
	Token          pipeline.Secret
	TimeAxis       string
	Start, End     time.Time // zero when not given; End is exclusive
	WindowDays     int
	RepullDays     int
	EndInclusive   bool
	Limits         []httpx.Window
	RetryBudget    int
	MaxAttempts    int
	RetryDelay     time.Duration
	RequestTimeout time.Duration
	Latest         bool
	SpoolDir       string
	MaxBodyBytes   int64
}

// ParseAPIOptions reads the kind's options and reports every problem at
// once.
func ParseAPIOptions(m map[string]string) (APIOptions, error) {
	var p apiopt.Problems
	o := APIOptions{
		BaseURL:  strings.TrimRight(strings.TrimSpace(m["base_url"]), "/"),
		Token:    pipeline.NewSecret(strings.TrimSpace(m["api_token"])),
		TimeAxis: strings.TrimSpace(m["time_axis"]),
		SpoolDir: strings.TrimSpace(m["spool_dir"]),
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(o.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		p.Add("base_url: want an http(s) URL without a query")
	}
	if o.Token.IsZero() {
		p.Add("api_token is required")
	}
	switch o.TimeAxis {
	case "":
		o.TimeAxis = DefaultTimeAxis
	case "createdAt", "meetingDate":
	default:
		p.Add("time_axis %q: want createdAt or meetingDate", o.TimeAxis)
	}
	o.Start = apiopt.Day(m, "start", &p)
	o.End = apiopt.Day(m, "end", &p)
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		p.Add("end must be after start (end is exclusive: the first day not pulled)")
	}
	o.WindowDays = apiopt.Int(m, "window_days", DefaultWindowDays, 1, MaxWindowDays, &p)
	o.RepullDays = apiopt.Int(m, "repull_days", DefaultRepullDays, 0, 3660, &p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, 1_000_000, &p)
	o.MaxAttempts = apiopt.Int(m, "max_attempts", DefaultMaxAttempts, 1, 100, &p)
	switch v := strings.TrimSpace(m["end_date"]); v {
	case "", "inclusive":
		o.EndInclusive = true
	case "exclusive":
	default:
		p.Add("end_date %q: want inclusive or exclusive", v)
	}
	switch v := strings.TrimSpace(m["duplicates"]); v {
	case "", "first":
	case "latest":
		o.Latest = true
	default:
		p.Add("duplicates %q: want first or latest", v)
	}
	o.RetryDelay = apiopt.PositiveDuration(m, "retry_delay", DefaultRetryDelay, &p)
	o.RequestTimeout = apiopt.PositiveDuration(m, "request_timeout", DefaultRequestTimeout, &p)
	o.MaxBodyBytes = DefaultMaxBodyBytes
	if v := strings.TrimSpace(m["max_body_bytes"]); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			p.Add("max_body_bytes: want a positive whole number of bytes")
		}
		o.MaxBodyBytes = n
	}
	o.Limits = apiopt.RateLimit(m, DefaultRateLimit, "1/1s,30/1m", &p)
	if err := p.Err(APIKindName); err != nil {
		return APIOptions{}, err
	}
	return o, nil
}
