package apiopt

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// Problems collects option errors so that every one is reported at once.
type Problems []error

// Add records a problem.
func (p *Problems) Add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// Append records err unless it is nil.
func (p *Problems) Append(err error) {
	if err != nil {
		*p = append(*p, err)
	}
}

// Err joins the problems under "kind <kind>: ", or returns nil when there
// are none.
func (p Problems) Err(kind string) error {
	if err := errors.Join(p...); err != nil {
		return fmt.Errorf("kind %s: %w", kind, err)
	}
	return nil
}

// String returns the trimmed option, or def when it is empty.
func String(m map[string]string, name, def string) string {
	if v := strings.TrimSpace(m[name]); v != "" {
		return v
	}
	return def
}

// Int reads a whole number from lo to hi; empty gives def. With hi
// math.MaxInt the range has no upper bound.
func Int(m map[string]string, name string, def, lo, hi int, p *Problems) int {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		if hi == math.MaxInt {
			p.Add("%s: want a whole number from %d", name, lo)
		} else {
			p.Add("%s: want a whole number from %d to %d", name, lo, hi)
		}
		return def
	}
	return n
}

// Duration reads a duration from lo to hi (both included); empty gives def.
func Duration(m map[string]string, name string, def, lo, hi time.Duration, p *Problems) time.Duration {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		p.Add("%s: want a duration from %v to %v", name, lo, hi)
		return def
	}
	return d
}

// PositiveDuration reads a duration above zero; empty gives def.
func PositiveDuration(m map[string]string, name string, def time.Duration, p *Problems) time.Duration {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.Add("%s: want a positive duration such as 1s or 2m", name)
		return def
	}
	return d
}

// Bool reads true/yes/1 or false/no/0 (any case); empty is false.
func Bool(m map[string]string, name string, p *Problems) bool {
	switch strings.ToLower(strings.TrimSpace(m[name])) {
	case "", "false", "no", "0":
		return false
	case "true", "yes", "1":
		return true
	}
	p.Add("%s: want true or false", name)
	return false
}

// Day reads a date YYYY-MM-DD as midnight UTC; empty or bad gives the zero
// time.
func Day(m map[string]string, name string, p *Problems) time.Time {
	v := strings.TrimSpace(m[name])
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		p.Add("%s: want a date YYYY-MM-DD", name)
		return time.Time{}
	}
	return t
}

// RateLimit reads the rate_limit option, comma-separated N/duration
// windows such as "300/1m,20/1s"; empty gives def. example is shown in the
// error message.
func RateLimit(m map[string]string, def, example string, p *Problems) []httpx.Window {
	ws, err := ParseRateLimit(String(m, "rate_limit", def), example)
	p.Append(err)
	return ws
}

// RateLimitOrNone is RateLimit that also takes "none" (any case) for no
// limit, returned as nil windows.
func RateLimitOrNone(m map[string]string, def, example string, p *Problems) []httpx.Window {
	s := String(m, "rate_limit", def)
	if strings.EqualFold(s, "none") {
		return nil
	}
	ws, err := ParseRateLimit(s, example+", or none")
	p.Append(err)
	return ws
}

// ParseRateLimit reads comma-separated N/duration windows, N at least 1
// and the duration above zero. example is shown in the error message.
func ParseRateLimit(s, example string) ([]httpx.Window, error) {
	var ws []httpx.Window
	for part := range strings.SplitSeq(s, ",") {
		n, per, ok := strings.Cut(strings.TrimSpace(part), "/")
		r, err1 := strconv.Atoi(strings.TrimSpace(n))
		d, err2 := time.ParseDuration(strings.TrimSpace(per))
		if !ok || err1 != nil || err2 != nil || r < 1 || d <= 0 {
			return nil, fmt.Errorf("rate_limit %q: want N/duration windows such as %s", s, example)
		}
		ws = append(ws, httpx.Window{Requests: r, Per: d})
	}
	return ws, nil
}
