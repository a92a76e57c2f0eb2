package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// BackfillPlan is how `ccetl backfill` covers a range of days: the
// sources it runs (those whose kind takes the start and end options), the
// window size, and the windows still to do.
type BackfillPlan struct {
	Job      string
	From, To time.Time // [From, To), midnight UTC
	// Sources are the 0-based positions of the job's windowed sources.
	Sources []int
	// Days is the size of a window: the largest window_days of the
	// sources (their option, or its default; 1 for a kind pulled by day).
	Days int
	// Windows are all the windows of [From, To), on a grid of Days-day
	// windows from 1970-01-01 cut to [From, To); Todo those not yet
	// committed by an earlier backfill.
	Windows, Todo []Window
	// Cooldown is the longest span of the windowed sources' rate limits
	// (their rate_limit option, N/duration,...; zero without one). A
	// window's run starts its rate limiter afresh, so a window started at
	// least Cooldown after the previous one ended cannot add its requests
	// to the previous window's in any of the vendor's spans.
	Cooldown time.Duration
}

// PlanBackfill splits [from, to) into the windows the job's sources allow
// and leaves out those an earlier backfill committed (the job state's
// backfill checkpoints), unless again is set. days overrides the window
// size when above zero.
func PlanBackfill(ctx context.Context, job *Job, reg *pipeline.Registry, open StateOpener, from, to time.Time, days int, again bool) (BackfillPlan, error) {
	p := BackfillPlan{Job: job.Name, From: midnight(from), To: midnight(to)}
	if !p.To.After(p.From) {
		return p, fmt.Errorf("backfill: --to must be after --from (--to is the first day not pulled)")
	}
	widest := 0
	var kinds []string
	for i, s := range job.Sources {
		k, err := reg.Kind(s.Kind)
		if err != nil {
			return p, err
		}
		var hasStart, hasEnd bool
		wd, rate := "", ""
		for _, o := range k.Options {
			switch o.Name {
			case "start":
				hasStart = true
			case "end":
				hasEnd = true
			case "window_days":
				wd = o.Default
			case "rate_limit":
				rate = o.Default
			}
		}
		kinds = append(kinds, s.Kind)
		if !hasStart || !hasEnd {
			continue
		}
		if v, ok := s.Options["window_days"]; ok {
			wd = v
		}
		n := 1
		if wd != "" {
			var err error
			if n, err = strconv.Atoi(strings.TrimSpace(wd)); err != nil || n < 1 {
				return p, fmt.Errorf("backfill: source %d (%s): window_days %q: want a whole number from 1", i+1, s.Kind, wd)
			}
		}
		widest = max(widest, n)
		p.Sources = append(p.Sources, i)
		if v, ok := s.Options["rate_limit"]; ok {
			rate = v
		}
		p.Cooldown = max(p.Cooldown, longestSpan(rate))
	}
	if len(p.Sources) == 0 {
		return p, fmt.Errorf("backfill: job %s has no source pulled by date (its kinds %s take no start and end options)", job.Name, strings.Join(kinds, ", "))
	}
	p.Days = widest
	if days > 0 {
		p.Days = days
	}
	p.Windows = grid(p.From, p.To, p.Days)
	p.Todo = p.Windows
	if again || open == nil {
		return p, nil
	}
	backend, err := open(ctx, StateURL(job))
	if err != nil {
		return p, fmt.Errorf("job state: %w", err)
	}
	st, err := state.New(backend).Load(ctx, job.Name)
	if err != nil {
		return p, err
	}
	p.Todo = nil
	for _, w := range p.Windows {
		if !st.Done(state.Window{Start: w.Start, End: w.End}) {
			p.Todo = append(p.Todo, w)
		}
	}
	return p, nil
}

// WindowJob returns a copy of job whose windowed sources pull exactly w:
// their start and end options are the window's days.
func (p BackfillPlan) WindowJob(job *Job, w Window) *Job {
	c := *job
	c.Sources = make([]SourceSpec, len(job.Sources))
	copy(c.Sources, job.Sources)
	for _, i := range p.Sources {
		opts := make(map[string]string, len(job.Sources[i].Options)+2)
		for k, v := range job.Sources[i].Options {
			opts[k] = v
		}
		opts["start"] = w.Start.Format(time.DateOnly)
		opts["end"] = w.End.Format(time.DateOnly)
		c.Sources[i].Options = opts
	}
	return &c
}

// Runs reports whether source i is one the backfill runs.
func (p BackfillPlan) Runs(i int) bool {
	for _, j := range p.Sources {
		if i == j {
			return true
		}
	}
	return false
}

// grid covers [from, to) with windows of a grid of days-day windows from
// 1970-01-01, the first and last cut to the range.
func grid(from, to time.Time, days int) []Window {
	n := int64(days) * 86400
	start := from.Unix() - ((from.Unix()%n)+n)%n
	var out []Window
	for s := start; s < to.Unix(); s += n {
		w := Window{Start: time.Unix(max(s, from.Unix()), 0).UTC(), End: time.Unix(min(s+n, to.Unix()), 0).UTC()}
		out = append(out, w)
	}
	return out
}

// longestSpan is the longest duration of a rate_limit value
// ("1/1s,30/1m" is a minute); zero for "none" or what does not parse (the
// source's own check reports that).
func longestSpan(rate string) time.Duration {
	var d time.Duration
	for _, w := range strings.Split(rate, ",") {
		_, per, ok := strings.Cut(strings.TrimSpace(w), "/")
		if !ok {
			continue
		}
		if v, err := time.ParseDuration(strings.TrimSpace(per)); err == nil {
			d = max(d, v)
		}
	}
	if d > 0 {
		d += max(d/50, 5*time.Millisecond) // the limiter's own margin
	}
	return d
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
