package cresta

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the options.
const (
	DefaultRateLimit   = "5/1s"
	DefaultRetryBudget = 20
)

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "base_url", Doc: "API base, https://{api-domain}.cresta.com; required"},
	{Name: "api_token", Secret: true, Doc: "bearer token sent as Authorization: Bearer <token> (the reference excerpt documents no auth scheme); required"},
	{Name: "plans", Doc: "comma-separated coaching plan resource names customers/{customer}/profiles/{profile}/coachingPlans/{plan}; required"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "request windows, comma-separated N/duration; Cresta documents no limit, the default is a polite guess"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries allowed in the whole run before it stops"},
}

// Options are the parsed options of the kind.
type Options struct {
	BaseURL     string
	Token       pipeline.Secret
	Plans       []string // sorted, unique
	Limits      []httpx.Window
	RetryBudget int
}

// planName is the resource name pattern of a coaching plan: the reference's
// {name=customers/*/profiles/*/coachingPlans/*}, one segment per *.
var planName = regexp.MustCompile(`^customers/([^/]+)/profiles/([^/]+)/coachingPlans/([^/]+)$`)

// ParsePlanName splits a coaching plan resource name into its customer,
// profile and plan ids.
func ParsePlanName(name string) (customer, profile, plan string, err error) {
	m := planName.FindStringSubmatch(name)
	if m == nil || slices.ContainsFunc(m[1:], func(s string) bool { return s == "." || s == ".." }) {
		return "", "", "", errors.New("want customers/{customer_id}/profiles/{profile_id}/coachingPlans/{coaching_plan_id}")
	}
	return m[1], m[2], m[3], nil
}

// ParseOptions reads the kind's options and reports every problem at once.
func ParseOptions(m map[string]string) (Options, error) {
	var errs []error
	o := Options{Token: pipeline.NewSecret(m["api_token"])}
	o.BaseURL = strings.TrimRight(strings.TrimSpace(m["base_url"]), "/")
	if o.BaseURL == "" {
		errs = append(errs, errors.New("base_url is required"))
	} else if u, err := url.Parse(o.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		errs = append(errs, errors.New("base_url: want an http(s) URL without a query"))
	}
	if o.Token.IsZero() {
		errs = append(errs, errors.New("api_token is required"))
	}
	if strings.TrimSpace(m["plans"]) == "" {
		errs = append(errs, errors.New("plans is required (comma-separated coaching plan resource names)"))
	} else {
		for i, part := range strings.Split(m["plans"], ",") {
			name := strings.TrimSpace(part)
			if _, _, _, err := ParsePlanName(name); err != nil {
				errs = append(errs, fmt.Errorf("plans: item %d: %w", i+1, err))
				continue
			}
			o.Plans = append(o.Plans, name)
		}
	}
	slices.Sort(o.Plans)
	o.Plans = slices.Compact(o.Plans)
	rl := m["rate_limit"]
	if rl == "" {
		rl = DefaultRateLimit
	}
	var err error
	if o.Limits, err = parseRateLimit(rl); err != nil {
		errs = append(errs, err)
	}
	o.RetryBudget = DefaultRetryBudget
	if v := strings.TrimSpace(m["retry_budget"]); v != "" {
		if o.RetryBudget, err = strconv.Atoi(v); err != nil || o.RetryBudget < 0 {
			errs = append(errs, errors.New("retry_budget: want a whole number from 0"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	return o, nil
}

// parseRateLimit reads comma-separated N/duration windows.
func parseRateLimit(s string) ([]httpx.Window, error) {
	var ws []httpx.Window
	for part := range strings.SplitSeq(s, ",") {
		n, per, ok := strings.Cut(strings.TrimSpace(part), "/")
		r, err1 := strconv.Atoi(n)
		d, err2 := time.ParseDuration(per)
		if !ok || err1 != nil || err2 != nil || r < 1 || d <= 0 {
			return nil, fmt.Errorf("rate_limit %q: want N/duration windows such as 5/1s,100/1m", s)
		}
		ws = append(ws, httpx.Window{Requests: r, Per: d})
	}
	return ws, nil
}
