// Package httpx is the HTTP layer every vendor connector uses. It sends
// requests with rate limits, retries, re-authentication, per-attempt
// timeouts, a ccetl User-Agent, request logs and counters, so that no
// connector writes these again.
//
// # Using it
//
// A connector builds one Client per vendor with New and sends requests
// through it:
//
//	c, err := httpx.New(httpx.Config{
//		Vendor: "maestroqa",
//		Auth:   httpx.StaticHeader{Name: "apiToken", Value: token},
//		Limits: httpx.Limits{"maestroqa": {{Requests: 1, Per: time.Second}, {Requests: 30, Per: time.Minute}}},
//		Budget: budget, // shared by the whole run
//		Logger: logger,
//	})
//	req, _ := http.NewRequestWithContext(httpx.WithLimitKey(ctx, "maestroqa:export"), "POST", url, bytes.NewReader(body))
//	resp, err := c.Do(req) // resp.Body holds the whole body
//
// Do reads the whole body and retries when the connection drops part way
// through. Stream returns the live body for large downloads and never retries
// once it has returned. Client is also an http.RoundTripper (HTTPClient wraps
// it in an *http.Client) for code that needs one; that path returns the final
// response whatever its status, as a RoundTripper must.
//
// # Order of operations for one attempt
//
// The Client clones the request, gives it a fresh copy of the body, sets the
// User-Agent and applies credentials. The clone then goes through a chain of
// http.RoundTrippers, outermost first:
//
//	limitRT    waits for the Limiter (not counted against the attempt timeout)
//	timeoutRT  cancels the attempt after Config.AttemptTimeout; for Stream the
//	           timeout applies up to the headers and then to each idle read
//	observeRT  counts the request and logs method, path, status, attempt, duration
//	Transport  the base transport (a clone of http.DefaultTransport by default)
//
// The retry loop (retry.go) sits around the chain, not inside it, because it
// must also see failures while reading the body, re-authenticate, and spend
// the run's retry budget. That is the one place the package departs from
// "everything is a RoundTripper decorator".
//
// # Rate limits
//
// A Limiter holds sliding windows per key ("N requests in any span of length
// Per"), several at once, and reserves each request the earliest slot that
// keeps every window within its count. Keys are hierarchical on ':': a
// request keyed "maestroqa:export" obeys the windows of "maestroqa:export"
// and of "maestroqa". Each window gets a small safety margin (Window.Margin,
// by default 2% of Per and at least 5ms) so that network jitter cannot push
// two requests closer together at the server than the client spaced them.
// Send times are recorded when requests actually leave, not when they were
// planned, so a late timer cannot squeeze the next requests together.
//
// # Errors
//
// A response the Client will not retry becomes a *StatusError carrying the
// status, method, URL path (never the query) and the vendor's message, cut to
// 200 characters. A failure to get a response becomes a *RequestError.
// IsRetryable and IsPermanent classify both. When the run's RetryBudget is
// spent the error matches ErrRetryBudgetExhausted; the caller stops and saves
// progress.
//
// # Departures from the house style
//
// Config has no defaults constructor: every zero field means its default,
// which New fills in, so Config{Vendor: "x"} is complete; Validate still
// reports every problem at once. Do holds a whole body in memory (bounded
// by MaxBodyBytes) because that is what makes a dropped connection
// retryable; bodies that do not fit comfortably go through Stream.
//
// # Secrets
//
// Nothing here logs or returns header values, query values or bodies. Vendor
// messages and transport errors are scrubbed of every header and query value
// of the request before they reach an error or a log line. URL paths are
// logged as they are; do not put secrets in paths.
package httpx
