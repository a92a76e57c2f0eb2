package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Window allows at most Requests requests in any span of length Per.
type Window struct {
	Requests int
	Per      time.Duration
	// Margin is added to Per when spacing requests, so that requests
	// taking a little longer or shorter to reach the server cannot make it
	// count more than Requests in one of its windows. Zero means 2% of Per,
	// at least 5ms; a negative Margin means none.
	Margin time.Duration
}

// period is the span the limiter actually enforces.
func (w Window) period() time.Duration {
	switch {
	case w.Margin > 0:
		return w.Per + w.Margin
	case w.Margin < 0:
		return w.Per
	}
	return w.Per + max(w.Per/50, 5*time.Millisecond)
}

func (w Window) String() string { return fmt.Sprintf("%d/%v", w.Requests, w.Per) }

// Limits maps a limiter key to the windows that all apply to it, for
// example {"maestroqa": {{1, time.Second, 0}, {30, time.Minute, 0}}}. Keys
// are hierarchical on ':': "maestroqa:export" obeys its own windows and
// those of "maestroqa". A key with no windows, itself or above, is not
// limited.
type Limits map[string][]Window

// Validate reports every invalid window.
func (l Limits) Validate() error {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if k == "" {
			errs = append(errs, errors.New("limits: empty key"))
		}
		for _, w := range l[k] {
			if w.Requests < 1 || w.Per <= 0 {
				errs = append(errs, fmt.Errorf("limits %q: window %v needs requests >= 1 and per > 0", k, w))
			}
		}
	}
	return errors.Join(errs...)
}

// Limiter spaces requests so that no window of any key is exceeded. It is
// safe for concurrent use, and one Limiter may serve several Clients.
//
// A request is admitted when every window of its key (and of the keys
// above it) has room at the current instant; its send time is then
// recorded, and moved to the arrival of its response once that comes (the
// latest instant the server can have counted it). Otherwise it sleeps until the earliest instant at which there
// will be room and tries again. Send times are the real ones, so a timer
// that fires late cannot squeeze later requests together. Bursts up to a
// window's count go out at once, and a backfill runs at the highest rate
// the windows allow, less the margins. Waiters are not queued: when more
// wait than a window admits, whichever wakes first goes.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	waited  atomic.Int64
}

// bucket is the state of one key: the send times still inside its longest
// window, in ascending order, and a pause set after a 429.
type bucket struct {
	windows []Window
	span    time.Duration // longest period
	sent    []time.Time
	paused  time.Time
}

// NewLimiter returns a Limiter enforcing limits.
func NewLimiter(limits Limits) (*Limiter, error) {
	if err := limits.Validate(); err != nil {
		return nil, err
	}
	l := &Limiter{buckets: make(map[string]*bucket, len(limits)), now: time.Now}
	for k, ws := range limits {
		b := &bucket{windows: append([]Window(nil), ws...)}
		for _, w := range ws {
			b.span = max(b.span, w.period())
		}
		l.buckets[k] = b
	}
	return l, nil
}

// Wait blocks until a request under key may be sent, or ctx is done, and
// returns how long it waited. A request that gives up takes no slot.
func (l *Limiter) Wait(ctx context.Context, key string) (time.Duration, error) {
	w, _, err := l.wait(ctx, key)
	return w, err
}

// wait is Wait that also returns the admitted request's recorded send time,
// for done.
func (l *Limiter) wait(ctx context.Context, key string) (time.Duration, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return 0, time.Time{}, err
	}
	var start time.Time
	var t *time.Timer
	for {
		now, at, ok := l.take(key, time.Time{})
		if start.IsZero() {
			start = now
		}
		if ok {
			w := now.Sub(start)
			l.waited.Add(int64(w))
			return w, now, nil
		}
		if t == nil {
			t = time.NewTimer(at.Sub(now))
			defer t.Stop()
		} else {
			t.Reset(at.Sub(now))
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			w := l.now().Sub(start)
			l.waited.Add(int64(w))
			return w, time.Time{}, ctx.Err()
		}
	}
}

// done moves a request's recorded time from its send to now, when its
// response has arrived. The server saw the request somewhere between the
// two; counting it at the later instant means no scheduling delay between
// our send and the server's arrival can make the server count more requests
// in one of its windows than we did.
func (l *Limiter) done(key string, sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for k := key; ; {
		if b := l.buckets[k]; b != nil {
			b.move(sent, now)
		}
		i := strings.LastIndexByte(k, ':')
		if i < 0 {
			return
		}
		k = k[:i]
	}
}

// move replaces one recorded time from with to, keeping sent in order.
func (b *bucket) move(from, to time.Time) {
	i := len(b.sent) - 1
	for i >= 0 && !b.sent[i].Equal(from) {
		i--
	}
	if i < 0 || !to.After(from) {
		return
	}
	for i+1 < len(b.sent) && b.sent[i+1].Before(to) {
		b.sent[i] = b.sent[i+1]
		i++
	}
	b.sent[i] = to
}

// Pause holds back every request under key (and keys below it) for d, for
// example after a 429 with Retry-After. A shorter pause never shortens a
// longer one.
func (l *Limiter) Pause(key string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{}
		l.buckets[key] = b
	}
	if until := l.now().Add(d); until.After(b.paused) {
		b.paused = until
	}
}

// Waited returns the total time requests spent waiting in Wait.
func (l *Limiter) Waited() time.Duration { return time.Duration(l.waited.Load()) }

// take admits a request under key at now (read under the lock when zero,
// so that send times are recorded in order): if every window of the key
// and of its parents has room, it records the send and reports ok.
// Otherwise it records nothing and returns the earliest instant with room.
func (l *Limiter) take(key string, now time.Time) (time.Time, time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.IsZero() {
		now = l.now()
	}
	var buf [4]*bucket
	bs := buf[:0]
	for k := key; ; {
		if b := l.buckets[k]; b != nil {
			bs = append(bs, b)
		}
		i := strings.LastIndexByte(k, ':')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	at := now
	for _, b := range bs {
		if t := b.earliest(now); t.After(at) {
			at = t
		}
	}
	if at.After(now) {
		return now, at, false
	}
	for _, b := range bs {
		if len(b.windows) > 0 {
			b.sent = append(b.sent, now)
		}
	}
	return now, now, true
}

// earliest is the first instant not before now at which one more request
// fits every window of b. All send times are at or before now, so the
// window ending at t has room exactly when the Requests-th most recent
// send lies at least one period before t.
func (b *bucket) earliest(now time.Time) time.Time {
	cut := 0
	for cut < len(b.sent) && !b.sent[cut].After(now.Add(-b.span)) {
		cut++
	}
	b.sent = b.sent[cut:]
	at := now
	if b.paused.After(at) {
		at = b.paused
	}
	n := len(b.sent)
	for _, w := range b.windows {
		if n >= w.Requests {
			if t := b.sent[n-w.Requests].Add(w.period()); t.After(at) {
				at = t
			}
		}
	}
	return at
}

// limitRT waits for the limiter before passing a request on.
type limitRT struct {
	next       http.RoundTripper
	limiter    *Limiter
	defaultKey string
	stats      *counters
}

func (t *limitRT) RoundTrip(req *http.Request) (*http.Response, error) {
	key := limitKey(req.Context(), t.defaultKey)
	w, sent, err := t.limiter.wait(req.Context(), key)
	t.stats.limiterWait.Add(int64(w))
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	t.limiter.done(key, sent)
	return resp, err
}
