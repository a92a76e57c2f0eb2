package schedule

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// harness records events and runs; runs block until released when hold is
// set.
type harness struct {
	t      *testing.T
	s      *Scheduler
	clock  *FakeClock
	mu     sync.Mutex
	events []Event
	runs   []Run
	hold   bool
	rel    chan struct{}
	evc    chan Event
}

func newHarness(t *testing.T, now time.Time, mem Memory, jobs ...Job) *harness {
	t.Helper()
	h := &harness{t: t, clock: NewFakeClock(now), rel: make(chan struct{}, 100), evc: make(chan Event, 1000)}
	h.s = New(Options{Clock: h.clock, Memory: mem, Run: func(r Run) {
		h.mu.Lock()
		h.runs = append(h.runs, r)
		hold := h.hold
		h.mu.Unlock()
		if hold {
			<-h.rel
		}
	}, Events: func(ev Event) {
		h.mu.Lock()
		h.events = append(h.events, ev)
		h.mu.Unlock()
		h.evc <- ev
	}})
	if err := h.s.Set(jobs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(h.rel); h.s.Wait() })
	return h
}

// step moves the clock to at and runs the scheduler's step; with no hold
// it waits for the runs it started to return.
func (h *harness) step(at time.Time) {
	h.clock.Set(at)
	h.s.Step(at)
	h.mu.Lock()
	hold := h.hold
	h.mu.Unlock()
	if !hold {
		h.s.Wait()
	}
}

// releaseOne stops holding runs, lets the held one return, waits for
// every run, and returns how many ran.
func (h *harness) releaseOne() int {
	h.mu.Lock()
	h.hold = false
	h.mu.Unlock()
	h.rel <- struct{}{}
	h.s.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.runs)
}

func (h *harness) take() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := h.events
	h.events = nil
	return ev
}

func (h *harness) kinds() []EventKind {
	var out []EventKind
	for _, ev := range h.take() {
		out = append(out, ev.Kind)
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func eqKinds(a []EventKind, b ...EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTicksFiveFieldsAndDescriptors(t *testing.T) {
	h := newHarness(t, utc("2026-01-05T10:07:00Z"), nil,
		Job{Name: "quarter", Schedule: "*/15 * * * *"},
		Job{Name: "daily", Schedule: "@daily"},
		Job{Name: "every", Schedule: "@every 40m"})
	want := map[string]time.Time{
		"quarter": utc("2026-01-05T10:15:00Z"),
		"daily":   utc("2026-01-06T00:00:00Z"),
		"every":   utc("2026-01-05T10:47:00Z"),
	}
	for _, st := range h.s.Status() {
		if !st.Next.Equal(want[st.Name]) {
			t.Errorf("%s: next %v, want %v", st.Name, st.Next, want[st.Name])
		}
	}
	h.step(utc("2026-01-05T10:14:59Z"))
	if ev := h.take(); len(ev) != 0 {
		t.Fatalf("before the tick: %+v", ev)
	}
	h.step(utc("2026-01-05T10:15:00Z"))
	ev := h.take()
	if len(ev) != 2 || ev[0].Kind != EventStarted || ev[0].Job != "quarter" || ev[0].Trigger != TriggerSchedule ||
		!ev[0].Tick.Equal(want["quarter"]) || ev[1].Kind != EventFinished {
		t.Fatalf("at the tick: %+v", ev)
	}
	for _, at := range []string{"2026-01-05T10:30:05Z", "2026-01-05T10:45:00Z", "2026-01-05T10:47:00Z"} {
		h.step(utc(at))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var got []string
	for _, r := range h.runs {
		got = append(got, r.Job+"@"+r.Tick.Format("15:04"))
	}
	wantRuns := []string{"quarter@10:15", "quarter@10:30", "quarter@10:45", "every@10:47"}
	if len(got) != len(wantRuns) {
		t.Fatalf("runs %v, want %v", got, wantRuns)
	}
	for i := range got {
		if got[i] != wantRuns[i] {
			t.Fatalf("runs %v, want %v", got, wantRuns)
		}
	}
}

// TestTimeZoneAcrossDST: a daily 03:00 in New York is 08:00 UTC in winter
// and 07:00 UTC in summer, the same with time_zone or CRON_TZ=; a job at
// 02:30, a time that does not exist on the spring-forward day, still runs
// once that day, and a job at 01:30 runs once on the fall-back day, whose
// 01:30 comes twice.
func TestTimeZoneAcrossDST(t *testing.T) {
	for _, j := range []Job{
		{Name: "key", Schedule: "0 3 * * *", TimeZone: "America/New_York"},
		{Name: "prefix", Schedule: "CRON_TZ=America/New_York 0 3 * * *"},
	} {
		sc, err := Parse(j.Schedule, j.TimeZone)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		at := utc("2026-03-06T12:00:00Z")
		for range 4 {
			at = sc.Next(at)
			got = append(got, at.UTC())
		}
		want := []time.Time{utc("2026-03-07T08:00:00Z"), utc("2026-03-08T07:00:00Z"), utc("2026-03-09T07:00:00Z"), utc("2026-03-10T07:00:00Z")}
		for i := range want {
			if !got[i].Equal(want[i]) {
				t.Fatalf("%s: ticks %v, want %v", j.Name, got, want)
			}
		}
	}
	// counted through the scheduler on the fake clock: one run a day
	h := newHarness(t, utc("2026-03-07T00:00:00Z"), nil,
		Job{Name: "gap", Schedule: "30 2 * * *", TimeZone: "America/New_York"})
	perDay := map[string]int{}
	for at := utc("2026-03-07T00:00:00Z"); at.Before(utc("2026-03-10T00:00:00Z")); at = at.Add(5 * time.Minute) {
		h.step(at)
	}
	h.mu.Lock()
	for _, r := range h.runs {
		perDay[r.Tick.In(mustZone(t, "America/New_York")).Format(time.DateOnly)]++
		if r.Tick.UTC().Format(time.DateOnly) == "2026-03-08" && !r.Tick.Equal(utc("2026-03-08T07:00:00Z")) {
			t.Errorf("spring forward: ran at %v, want the change, 07:00Z", r.Tick.UTC())
		}
	}
	h.mu.Unlock()
	if perDay["2026-03-07"] != 1 || perDay["2026-03-08"] != 1 || perDay["2026-03-09"] != 1 {
		t.Errorf("02:30 New York across spring forward: runs per day %v, want one each", perDay)
	}
	h2 := newHarness(t, utc("2026-10-31T00:00:00Z"), nil,
		Job{Name: "twice", Schedule: "30 1 * * *", TimeZone: "America/New_York"})
	for at := utc("2026-10-31T00:00:00Z"); at.Before(utc("2026-11-03T00:00:00Z")); at = at.Add(5 * time.Minute) {
		h2.step(at)
	}
	h2.mu.Lock()
	n := 0
	for _, r := range h2.runs {
		if r.Tick.In(mustZone(t, "America/New_York")).Format(time.DateOnly) == "2026-11-01" {
			n++
			if !r.Tick.Equal(utc("2026-11-01T05:30:00Z")) {
				t.Errorf("fall back: ran at %v, want the first 01:30 (05:30Z)", r.Tick.UTC())
			}
		}
	}
	total := len(h2.runs)
	h2.mu.Unlock()
	if n != 1 || total != 3 {
		t.Errorf("01:30 New York across fall back: %d runs that day, %d in three days; want 1 and 3", n, total)
	}
}

// A schedule sparser than the clock changes (once a year, on the day of
// the spring change) still runs at the change, however many changes lie
// before it; one with a stepped wildcard hour runs on real time.
func TestDSTSparseAndSteppedSchedules(t *testing.T) {
	yearly, err := Parse("30 2 10 3 *", "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, want string }{
		{"2023-01-01T12:00:00Z", "2023-03-10T07:30:00Z"}, // before 2023's change (12 March): 02:30 EST
		{"2023-03-11T12:00:00Z", "2024-03-10T07:00:00Z"}, // two changes before 2024's, on 10 March: at it
		{"2023-07-01T12:00:00Z", "2024-03-10T07:00:00Z"},
	} {
		if got := yearly.Next(utc(c.from)); !got.Equal(utc(c.want)) {
			t.Errorf("02:30 on 10 March, from %s: next %v, want %s", c.from, got.UTC(), c.want)
		}
	}
	every2, err := Parse("0 */2 * * *", "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for at := utc("2026-03-08T04:30:00Z"); len(got) < 4; {
		at = every2.Next(at)
		got = append(got, at.UTC())
	}
	// 00:00 EST, then 04:00 EDT (02:00 does not exist), 06:00, 08:00: two
	// hours or more apart, never one
	want := []time.Time{utc("2026-03-08T05:00:00Z"), utc("2026-03-08T08:00:00Z"), utc("2026-03-08T10:00:00Z"), utc("2026-03-08T12:00:00Z")}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("*/2 hours across spring forward: %v, want %v", got, want)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ expr, tz string }{
		{"61 * * * *", ""},
		{"* * * *", ""},
		{"@fortnightly", ""},
		{"0 3 * * *", "Mars/Olympus"},
		{"CRON_TZ=Europe/Paris 0 3 * * *", "Europe/Paris"},
		{"", ""},
	} {
		if _, err := Parse(tc.expr, tc.tz); err == nil {
			t.Errorf("Parse(%q, %q): no error", tc.expr, tc.tz)
		}
	}
	if _, err := ParseOverlap("queue"); err == nil {
		t.Error("overlap queue accepted")
	}
	if o, err := ParseOverlap(""); err != nil || o != OverlapSkip {
		t.Errorf("default overlap %q %v", o, err)
	}
}

func TestOverlapPolicies(t *testing.T) {
	start := utc("2026-01-05T10:00:30Z")
	h := newHarness(t, start, nil,
		Job{Name: "skip", Schedule: "* * * * *"},
		Job{Name: "buffer", Schedule: "* * * * *", Overlap: OverlapBufferOne},
		Job{Name: "allow", Schedule: "* * * * *", Overlap: OverlapAllow})
	h.hold = true
	h.step(utc("2026-01-05T10:01:00Z")) // three runs start and hold
	h.step(utc("2026-01-05T10:02:00Z")) // skip: skipped; buffer: delayed; allow: second run
	h.step(utc("2026-01-05T10:03:00Z")) // skip: skipped; buffer: skipped (one waits); allow: third run
	byJob := map[string][]Event{}
	for _, ev := range h.take() {
		byJob[ev.Job] = append(byJob[ev.Job], ev)
	}
	check := func(job string, want ...EventKind) {
		t.Helper()
		var got []EventKind
		for _, ev := range byJob[job] {
			got = append(got, ev.Kind)
		}
		if !eqKinds(got, want...) {
			t.Errorf("%s: events %v, want %v", job, got, want)
		}
	}
	check("skip", EventStarted, EventSkipped, EventSkipped)
	check("buffer", EventStarted, EventDelayed, EventSkipped)
	check("allow", EventStarted, EventStarted, EventStarted)
	if r := byJob["skip"][1].Reason; r != ReasonOverlap {
		t.Errorf("skip reason %q", r)
	}
	if r := byJob["buffer"][2].Reason; r != ReasonBuffer {
		t.Errorf("buffer reason %q", r)
	}
	st := map[string]JobStatus{}
	for _, s := range h.s.Status() {
		st[s.Name] = s
	}
	if st["allow"].Running != 3 || st["skip"].Running != 1 || !st["buffer"].Waiting {
		t.Errorf("status %+v", st)
	}
	if err := h.s.Trigger("skip"); !errors.Is(err, ErrRunning) {
		t.Errorf("manual trigger of a running skip job: %v", err)
	}
	// release the five held runs: the buffered one starts once its
	// predecessor returns, delayed, for the 10:02 tick
	h.mu.Lock()
	h.hold = false
	h.mu.Unlock()
	for range 6 {
		h.rel <- struct{}{}
	}
	h.s.Wait()
	var delayed []Run
	h.mu.Lock()
	for _, r := range h.runs {
		if r.Delayed {
			delayed = append(delayed, r)
		}
	}
	n := len(h.runs)
	h.mu.Unlock()
	if len(delayed) != 1 || delayed[0].Job != "buffer" || !delayed[0].Tick.Equal(utc("2026-01-05T10:02:00Z")) {
		t.Errorf("delayed runs %+v", delayed)
	}
	if n != 6 {
		t.Errorf("%d runs, want 6 (1 skip, 2 buffer, 3 allow)", n)
	}
}

// memory is an in-memory Memory.
type memory struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (m *memory) LastTick(job string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[job], nil
}

func (m *memory) SetLastTick(job string, tick time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last[job] = tick
	return nil
}

// TestCatchupAfterDowntime: a scheduler that was down from 02:00 to 07:20
// runs the hourly job once for 07:00 (within a two-hour catch-up window)
// and reports 03:00 to 06:00 missed; with no window, all five are missed
// and nothing runs; the next start remembers the last tick handled.
func TestCatchupAfterDowntime(t *testing.T) {
	mem := &memory{last: map[string]time.Time{"hourly": utc("2026-01-05T02:00:00Z"), "strict": utc("2026-01-05T02:00:00Z")}}
	now := utc("2026-01-05T07:20:00Z")
	h := newHarness(t, now, mem,
		Job{Name: "hourly", Schedule: "0 * * * *", CatchupWindow: 2 * time.Hour},
		Job{Name: "strict", Schedule: "0 * * * *"})
	h.step(now)
	byJob := map[string][]Event{}
	for _, ev := range h.take() {
		byJob[ev.Job] = append(byJob[ev.Job], ev)
	}
	hourly := byJob["hourly"]
	if len(hourly) != 3 || hourly[0].Kind != EventMissed || hourly[0].Count != 4 ||
		!hourly[0].First.Equal(utc("2026-01-05T03:00:00Z")) || !hourly[0].Tick.Equal(utc("2026-01-05T06:00:00Z")) ||
		hourly[1].Kind != EventStarted || hourly[1].Trigger != TriggerCatchup || !hourly[1].Tick.Equal(utc("2026-01-05T07:00:00Z")) {
		t.Errorf("hourly: %+v", hourly)
	}
	strict := byJob["strict"]
	if len(strict) != 1 || strict[0].Kind != EventMissed || strict[0].Count != 5 || !strict[0].Tick.Equal(utc("2026-01-05T07:00:00Z")) {
		t.Errorf("strict: %+v", strict)
	}
	if got := mem.last["hourly"]; !got.Equal(utc("2026-01-05T07:00:00Z")) {
		t.Errorf("remembered %v", got)
	}
	// a restart at 07:40 finds nothing missed; 08:00 is on time
	h2 := newHarness(t, utc("2026-01-05T07:40:00Z"), mem, Job{Name: "hourly", Schedule: "0 * * * *", CatchupWindow: 2 * time.Hour})
	h2.step(utc("2026-01-05T07:40:00Z"))
	if k := h2.kinds(); len(k) != 0 {
		t.Errorf("restart: %v", k)
	}
	h2.step(utc("2026-01-05T08:00:10Z"))
	if ev := h2.take(); len(ev) != 2 || ev[0].Trigger != TriggerSchedule {
		t.Errorf("08:00: %+v", ev)
	}
}

func TestPauseResumeAndTrigger(t *testing.T) {
	h := newHarness(t, utc("2026-01-05T10:00:30Z"), nil, Job{Name: "j", Schedule: "*/10 * * * *"})
	if err := h.s.Pause("j"); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Pause("nope"); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("pause of an unknown job: %v", err)
	}
	h.step(utc("2026-01-05T10:10:00Z"))
	h.step(utc("2026-01-05T10:20:00Z"))
	ev := h.take()
	if len(ev) != 2 || ev[0].Kind != EventSkipped || ev[0].Reason != ReasonPaused || ev[1].Kind != EventSkipped {
		t.Fatalf("paused: %+v", ev)
	}
	if st := h.s.Status(); !st[0].Paused {
		t.Errorf("status %+v", st)
	}
	// a paused job still runs when triggered by hand
	if err := h.s.Trigger("j"); err != nil {
		t.Fatal(err)
	}
	h.s.Wait()
	if ev := h.take(); len(ev) != 2 || ev[0].Trigger != TriggerManual {
		t.Fatalf("trigger: %+v", ev)
	}
	if err := h.s.Resume("j"); err != nil {
		t.Fatal(err)
	}
	h.step(utc("2026-01-05T10:25:00Z")) // nothing due: the paused ticks are not made up
	h.step(utc("2026-01-05T10:30:00Z"))
	ev = h.take()
	if len(ev) != 2 || ev[0].Kind != EventStarted || !ev[0].Tick.Equal(utc("2026-01-05T10:30:00Z")) {
		t.Fatalf("resumed: %+v", ev)
	}
}

func TestJitter(t *testing.T) {
	j := Job{Name: "jit", Schedule: "0 * * * *", Jitter: 10 * time.Minute}
	h := newHarness(t, utc("2026-01-05T09:30:00Z"), nil, j)
	next := h.s.Status()[0].Next
	d := next.Sub(utc("2026-01-05T10:00:00Z"))
	if d < 0 || d >= 10*time.Minute {
		t.Fatalf("jittered next %v", next)
	}
	if d != jitterFor("jit", utc("2026-01-05T10:00:00Z"), j.Jitter) {
		t.Errorf("jitter not stable")
	}
	h.step(next.Add(-time.Second))
	if len(h.take()) != 0 {
		t.Fatal("ran before its jittered time")
	}
	h.step(next)
	if ev := h.take(); len(ev) != 2 || ev[0].Kind != EventStarted || !ev[0].Tick.Equal(utc("2026-01-05T10:00:00Z")) {
		t.Fatalf("%+v", ev)
	}
	// different ticks get different delays
	seen := map[time.Duration]bool{}
	for i := range 24 {
		seen[jitterFor("jit", utc("2026-01-05T00:00:00Z").Add(time.Duration(i)*time.Hour), j.Jitter)] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct delays in 24 ticks", len(seen))
	}
}

// TestRunLoopOnFakeClock drives Run with a fake clock: the run starts when
// the clock reaches the tick, and a reload that changes the schedule takes
// effect at once.
func TestRunLoopOnFakeClock(t *testing.T) {
	h := newHarness(t, utc("2026-01-05T10:00:30Z"), nil, Job{Name: "j", Schedule: "*/5 * * * *"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.s.Run(ctx); close(done) }()
	waitEvent := func(kind EventKind) Event {
		t.Helper()
		for {
			select {
			case ev := <-h.evc:
				if ev.Kind == kind {
					return ev
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s event; clock %v, %d waiters, status %+v", kind, h.clock.Now(), h.clock.Waiters(), h.s.Status())
			}
		}
	}
	waitTimer := func() {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for h.clock.Waiters() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the loop never waits")
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitTimer()
	h.clock.Advance(4*time.Minute + 30*time.Second) // 10:05:00
	if ev := waitEvent(EventStarted); !ev.Tick.Equal(utc("2026-01-05T10:05:00Z")) {
		t.Fatalf("tick %v", ev.Tick)
	}
	waitEvent(EventFinished) // else the next tick is skipped as an overlap
	if err := h.s.Set([]Job{{Name: "j", Schedule: "@every 1m"}}); err != nil {
		t.Fatal(err)
	}
	if st := h.s.Status(); !st[0].Next.Equal(utc("2026-01-05T10:06:00Z")) {
		t.Fatalf("after reload next %v", st[0].Next)
	}
	waitTimer()
	h.clock.Advance(time.Minute)
	if ev := waitEvent(EventStarted); !ev.Tick.Equal(utc("2026-01-05T10:06:00Z")) {
		t.Fatalf("tick %v", ev.Tick)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestStartsPaused: a job handed over paused (a pause kept from an
// earlier process) skips its ticks until resumed; Set keeps the pause of
// a job it already has.
func TestStartsPaused(t *testing.T) {
	h := newHarness(t, utc("2026-01-05T10:00:30Z"), nil, Job{Name: "j", Schedule: "@hourly", Paused: true})
	h.step(utc("2026-01-05T11:00:00Z"))
	if ev := h.take(); len(ev) != 1 || ev[0].Kind != EventSkipped || ev[0].Reason != ReasonPaused {
		t.Fatalf("%+v", ev)
	}
	if err := h.s.Resume("j"); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Set([]Job{{Name: "j", Schedule: "@hourly", Paused: true}}); err != nil {
		t.Fatal(err)
	}
	h.step(utc("2026-01-05T12:00:00Z"))
	if ev := h.take(); len(ev) != 2 || ev[0].Kind != EventStarted {
		t.Fatalf("after resume and reload: %+v", ev)
	}
}

// Once stopped (the server shutting down), the scheduler starts no run: a
// run waiting for the running one (buffer_one) is skipped, and so are a
// tick and a trigger.
func TestStopStartsNoRun(t *testing.T) {
	h := newHarness(t, utc("2026-01-05T10:00:30Z"), nil, Job{Name: "b", Schedule: "* * * * *", Overlap: OverlapBufferOne})
	h.hold = true
	h.step(utc("2026-01-05T10:01:00Z")) // runs and holds
	h.step(utc("2026-01-05T10:02:00Z")) // waits for it
	if k := h.kinds(); !eqKinds(k, EventStarted, EventDelayed) {
		t.Fatalf("events %v", k)
	}
	h.s.Stop()
	if err := h.s.Trigger("b"); !errors.Is(err, ErrStopped) {
		t.Errorf("trigger after stop: %v", err)
	}
	h.step(utc("2026-01-05T10:03:00Z"))
	runs := h.releaseOne()
	var reasons []string
	evs := h.take()
	for _, ev := range evs {
		if ev.Kind == EventSkipped {
			reasons = append(reasons, ev.Reason)
		}
	}
	if runs != 1 || len(reasons) != 2 || reasons[0] != ReasonStopping || reasons[1] != ReasonStopping {
		t.Fatalf("%d runs, events %+v; want the first run only, the waiting run and the 10:03 tick skipped as stopping", runs, evs)
	}
}

// A job dropped by a reload and listed again while its run runs keeps that
// run under its overlap policy: skip skips, buffer_one waits and starts
// when the run returns.
func TestJobListedAgainKeepsItsRunningRun(t *testing.T) {
	for _, overlap := range []Overlap{OverlapSkip, OverlapBufferOne} {
		j := Job{Name: "j", Schedule: "* * * * *", Overlap: overlap}
		h := newHarness(t, utc("2026-01-05T10:00:30Z"), nil, j)
		h.hold = true
		h.step(utc("2026-01-05T10:01:00Z"))
		if err := h.s.Set(nil); err != nil {
			t.Fatal(err)
		}
		if err := h.s.Set([]Job{j}); err != nil {
			t.Fatal(err)
		}
		h.step(utc("2026-01-05T10:02:00Z"))
		want := map[Overlap]EventKind{OverlapSkip: EventSkipped, OverlapBufferOne: EventDelayed}[overlap]
		if k := h.kinds(); !eqKinds(k, EventStarted, want) {
			t.Fatalf("%s: events %v, want started then %s", overlap, k, want)
		}
		if st := h.s.Status(); len(st) != 1 || st[0].Running != 1 {
			t.Fatalf("%s: status %+v", overlap, st)
		}
		runs := h.releaseOne()
		if wantRuns := map[Overlap]int{OverlapSkip: 1, OverlapBufferOne: 2}[overlap]; runs != wantRuns {
			t.Errorf("%s: %d runs, want %d", overlap, runs, wantRuns)
		}
		if st := h.s.Status(); st[0].Running != 0 || st[0].Waiting {
			t.Errorf("%s: after the runs, status %+v", overlap, st)
		}
	}
}
