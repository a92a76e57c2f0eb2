package genesys

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// UsersPath lists the organization's users (GET, paged) [ext]: the
// reference has no users API, the current Genesys API documents it.
const UsersPath = "/api/v2/users"

// CorrelationHeader is the header Genesys answers carry their request id
// in [ext]; an ErrorBody's contextId is the same id.
const CorrelationHeader = "ININ-Correlation-Id"

// ConnOptionDocs are the options of a connection to one Genesys Cloud
// organization, as every genesys kind and target reads them.
var ConnOptionDocs = []pipeline.Option{
	optionDoc("login_url"), optionDoc("api_url"), optionDoc("client_id"), optionDoc("client_secret"),
	{Name: "page_size", Default: strconv.Itoa(DefaultPageSize), Doc: "pageSize of every list request, 1 to 100"},
	{Name: "rate_limit", Default: DefaultRateLimit, Doc: "API request windows, comma-separated N/duration (e.g. 300/1m,20/1s); Genesys limits each OAuth client to 300 requests a minute by default"},
	{Name: "retry_budget", Default: strconv.Itoa(DefaultRetryBudget), Doc: "retries a run may always make; beyond them it may retry up to a quarter of the requests it made, and it stops at once when more than 80% of its last 50 attempts failed (an outage)"},
}

// optionDoc is the pull kind's documentation of an option.
func optionDoc(name string) pipeline.Option {
	for _, o := range OptionDocs {
		if o.Name == name {
			return o
		}
	}
	panic("genesys: no option " + name)
}

// ConnOptions are the parsed ConnOptionDocs.
type ConnOptions struct {
	LoginURL, APIURL string
	ClientID         string
	ClientSecret     pipeline.Secret
	PageSize         int
	Limits           []httpx.Window
	RetryBudget      int
}

// ParseConnOptions reads ConnOptionDocs, adding every problem to p.
func ParseConnOptions(m map[string]string, p *apiopt.Problems) ConnOptions {
	o := ConnOptions{ClientID: apiopt.String(m, "client_id", ""), ClientSecret: pipeline.NewSecret(m["client_secret"])}
	o.LoginURL = baseURL(m, "login_url", DefaultLoginURL, p)
	o.APIURL = baseURL(m, "api_url", DefaultAPIURL, p)
	if o.ClientID == "" {
		p.Add("client_id is required")
	}
	if o.ClientSecret.IsZero() {
		p.Add("client_secret is required")
	}
	o.PageSize = apiopt.Int(m, "page_size", DefaultPageSize, 1, MaxPageSize, p)
	o.RetryBudget = apiopt.Int(m, "retry_budget", DefaultRetryBudget, 0, 1_000_000, p)
	o.Limits = apiopt.RateLimit(m, DefaultRateLimit, "300/1m,20/1s", p)
	return o
}

// Conn is an authenticated connection to one organization's API: OAuth
// client credentials, the rate limit, retries and the run's retry budget.
type Conn struct {
	Client *httpx.Client
	Budget *httpx.RetryBudget
	api    *api
}

// Connect opens a connection; nothing is sent until the first request.
func Connect(o ConnOptions, log *slog.Logger) (*Conn, error) {
	log = pipeline.OrDiscard(log)
	budget := httpx.NewRetryBudget(o.RetryBudget)
	client, err := httpx.New(httpx.Config{
		Vendor: "genesys",
		Auth:   newAuth(o.LoginURL, o.ClientID, o.ClientSecret),
		Limits: httpx.Limits{limitAPI: o.Limits},
		Quota:  httpx.QuotaKey("genesys", o.LoginURL, o.APIURL, o.ClientID),
		Budget: budget,
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &Conn{Client: client, Budget: budget, api: &api{c: client, base: o.APIURL, pageSize: o.PageSize}}, nil
}

// Close ends the connection.
func (c *Conn) Close() error { return c.Client.Close(context.Background()) }

// Request builds an API request of path (with query q) and a JSON body
// (nil for none), keyed to the API's rate limit.
func (c *Conn) Request(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	u := c.api.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var req *http.Request
	var err error
	if body == nil {
		req, err = http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitAPI), method, u, nil)
	} else {
		b, merr := json.Marshal(body)
		if merr != nil {
			return nil, merr
		}
		req, err = http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitAPI), method, u, bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Each calls fn with the entities of every page of the list at path (with
// query q), in order, until pageNumber reaches pageCount or a page comes
// back empty or short.
func (c *Conn) Each(ctx context.Context, path string, q url.Values, fn func(entities []json.RawMessage) error) error {
	if q == nil {
		q = url.Values{}
	}
	for n := 1; ; n++ {
		p, err := c.api.list(ctx, path, q, n, "")
		if err != nil {
			return err
		}
		if err := fn(p.Entities); err != nil {
			return err
		}
		if !p.more(c.api.pageSize) {
			return nil
		}
	}
}

// User is one user of the organization as GET /api/v2/users lists it.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Username string `json:"username"`
	State    string `json:"state"`
	Title    string `json:"title"`
	Dept     string `json:"department"`
	Version  *int64 `json:"version"`
	Division *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"division"`
	SelfURI string `json:"selfUri"`
}

// Users lists the organization's users (GET /api/v2/users, every page;
// the API's default state filter, active users).
func (c *Conn) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := c.Each(ctx, UsersPath, nil, func(ents []json.RawMessage) error {
		for i, raw := range ents {
			var u User
			if err := json.Unmarshal(raw, &u); err != nil || u.ID == "" {
				return fmt.Errorf("GET %s: user %d of a page is not a user object with an id", UsersPath, i)
			}
			out = append(out, u)
		}
		return nil
	})
	return out, err
}
