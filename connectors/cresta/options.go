package cresta

import (
	"errors"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the options.
const (
	DefaultRateLimit   = "5/1s"
	DefaultRetryBudget = 20
	// DefaultConcurrency: enough plans in flight that the rate limit,
	// not the round trips of one GET after another, bounds a pull.
	DefaultConcurrency = 8
)

// ConnOptionDocs documents the options every Cresta kind shares: where the
// API is, the token, the request windows and the retry budget.
var ConnOptionDocs = []pipeline.Option{
	{Name: "base_url", Doc: "API base, https://{api-domain}.cresta.com; required"},
	{Name: "api_token", Secret: true, Doc: "bearer token sent as Authorization: Bearer <token> (the reference excerpt documents no auth scheme); required"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "request windows, comma-separated N/duration; Cresta documents no limit, the default is a polite guess"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage)"},
}

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	ConnOptionDocs[0], ConnOptionDocs[1],
	{Name: "plans", Doc: "comma-separated coaching plan resource names customers/{customer}/profiles/{profile}/coachingPlans/{plan}; required"},
	ConnOptionDocs[2], ConnOptionDocs[3],
	{Name: "concurrency", Default: strconv.Itoa(DefaultConcurrency), Doc: "plans whose GET is in flight at once (1: one after another); rate_limit still spaces every request, and the plans are written in the order of plans"},
}

// Options are the parsed options of the kind.
type Options struct {
	BaseURL     string
	Token       pipeline.Secret
	Plans       []string // sorted, unique
	Limits      []httpx.Window
	RetryBudget int
	Concurrency int // plans in flight at once (the pull kind's)
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

// scorecardName is the resource name pattern of a scorecard:
// customers/{customer_id}/profiles/{profile_id}/scorecards/{scorecard_id}.
var scorecardName = regexp.MustCompile(`^customers/([^/]+)/profiles/([^/]+)/scorecards/([^/]+)$`)

// ParseScorecardName splits a scorecard resource name into its customer,
// profile and scorecard ids.
func ParseScorecardName(name string) (customer, profile, scorecard string, err error) {
	m := scorecardName.FindStringSubmatch(name)
	if m == nil || slices.ContainsFunc(m[1:], func(s string) bool { return s == "." || s == ".." }) {
		return "", "", "", errors.New("want customers/{customer_id}/profiles/{profile_id}/scorecards/{scorecard_id}")
	}
	return m[1], m[2], m[3], nil
}

// ParseConnOptions reads the options of ConnOptionDocs, adding every
// problem to p. Plans is left empty.
func ParseConnOptions(m map[string]string, p *apiopt.Problems) Options {
	o := Options{Token: pipeline.NewSecret(m["api_token"])}
	o.BaseURL = strings.TrimRight(strings.TrimSpace(m["base_url"]), "/")
	if o.BaseURL == "" {
		p.Add("base_url is required")
	} else if u, err := url.Parse(o.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		p.Add("base_url: want an http(s) URL without a query")
	}
	if o.Token.IsZero() {
		p.Add("api_token is required")
	}
	o.Limits = apiopt.RateLimit(m, DefaultRateLimit, "5/1s,100/1m", p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, math.MaxInt, p)
	return o
}

// ParseOptions reads the kind's options and reports every problem at once.
func ParseOptions(m map[string]string) (Options, error) {
	var p apiopt.Problems
	o := ParseConnOptions(m, &p)
	if strings.TrimSpace(m["plans"]) == "" {
		p.Add("plans is required (comma-separated coaching plan resource names)")
	} else {
		for i, part := range strings.Split(m["plans"], ",") {
			name := strings.TrimSpace(part)
			if _, _, _, err := ParsePlanName(name); err != nil {
				p.Add("plans: item %d: %w", i+1, err)
				continue
			}
			o.Plans = append(o.Plans, name)
		}
	}
	slices.Sort(o.Plans)
	o.Plans = slices.Compact(o.Plans)
	o.Concurrency = apiopt.Int(m, "concurrency", DefaultConcurrency, 1, 1024, &p)
	if err := p.Err(KindName); err != nil {
		return Options{}, err
	}
	return o, nil
}
