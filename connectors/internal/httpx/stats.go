package httpx

import (
	"sync/atomic"
	"time"
)

// Stats are a Client's counts since New. Read them with Client.Stats at
// any time; the run summary reports them.
type Stats struct {
	// Requests counts HTTP requests handed to the transport: every
	// attempt, retry, re-authenticated retry and login.
	Requests int64
	// Retries counts attempts repeated after a retryable failure (not the
	// retry after re-authentication).
	Retries int64
	// Reauths counts credential refreshes after a 401 (or 403).
	Reauths int64
	// TooManyRequests counts 429 responses.
	TooManyRequests int64
	// LimiterWait is the time requests spent waiting for the rate limiter.
	LimiterWait time.Duration
	// RetryWait is the time spent sleeping before retries.
	RetryWait time.Duration
}

// counters are the live form of Stats, shared by a Client and the
// unauthenticated view it hands to its Authenticator.
type counters struct {
	requests, retries, reauths, tooMany atomic.Int64
	limiterWait, retryWait              atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Requests:        c.requests.Load(),
		Retries:         c.retries.Load(),
		Reauths:         c.reauths.Load(),
		TooManyRequests: c.tooMany.Load(),
		LimiterWait:     time.Duration(c.limiterWait.Load()),
		RetryWait:       time.Duration(c.retryWait.Load()),
	}
}
