package maestroqa

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// A backfill of more than 90 days is split into the fewest windows: from a
// day on the 90-day grid, ceil(days/90) requests, none over 90 days.
func TestBackfillOver90DaysTakesTheFewestWindows(t *testing.T) {
	start := GridStart(date("2021-06-01"), 90)
	e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	// A session every 45 days: 2 per window (few partitions keep it fast).
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 6, First: start.Add(time.Hour), Every: 45 * 24 * time.Hour}))
	for _, days := range []int{91, 150, 180, 181} {
		e.ResetCounts()
		end := start.AddDate(0, 0, days)
		r := mustRun(t, apiOptions(t, e, "start", start.Format(time.DateOnly), "end", end.Format(time.DateOnly), "window_days", "90"),
			"", nil, noon("2022-06-01"))
		want := (days + 89) / 90
		calls := e.Calls()
		if c := e.Counts(); c.Requests != want || c.Served != want {
			t.Fatalf("%d days: %d requests, the minimum is %d", days, c.Requests, want)
		}
		for i, c := range calls {
			from, to := start.AddDate(0, 0, 90*i), start.AddDate(0, 0, 90*i+89)
			if c.StartDate != from.Format(time.DateOnly) || c.EndDate != to.Format(time.DateOnly) {
				t.Errorf("%d days: request %d asked for %s..%s, want %s..%s", days, i, c.StartDate, c.EndDate,
					from.Format(time.DateOnly), to.Format(time.DateOnly))
			}
		}
		// Whole windows: every session of the windows, once.
		if n := len(exactlyOnce(t, r.out)[SessionTableName]); n != 2*want {
			t.Fatalf("%d days: %d sessions", days, n)
		}
	}
}

// Pulling the same windows again into the same lake replaces their files:
// every row once, updated sessions with their new values, no file added.
func TestRerunOfTheSameWindowsReplacesTheirFiles(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	r1 := mustRun(t, opts, "", nil, noon("2022-03-01"))
	files := map[string]int{}
	for _, tb := range Tables {
		files[tb.Name] = len(lakecheck.Files(t, r1.out, tb.Name))
	}
	// Sessions 0..5 change between the runs.
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 6, First: date("2021-11-29").Add(9 * time.Hour),
		Every: 24 * time.Hour, Notes: "v2", Updated: date("2022-02-01"), SharePrevious: true}))
	r2 := mustRun(t, opts, r1.out, nil, noon("2022-03-01"))
	wholeFixture(t, r2.out)
	sessions := ids(lakecheck.Table(t, r2.out, SessionTableName), "id")
	for i := range 40 {
		want := ""
		if i < 6 {
			want = "v2"
		}
		if got := sessions[fmt.Sprintf("s-%05d", i)]["coach_notes"]; got != want {
			t.Errorf("session %d: notes %v, want %q", i, got, want)
		}
	}
	for _, tb := range Tables {
		if n := len(lakecheck.Files(t, r2.out, tb.Name)); n != files[tb.Name] {
			t.Errorf("%s: %d files after the rerun, %d before", tb.Name, n, files[tb.Name])
		}
		m, _ := filepath.Glob(filepath.Join(r2.out, "_manifests", tb.Name, "*.json"))
		if len(m) != 1 {
			t.Errorf("%s: %d manifests", tb.Name, len(m))
		}
	}
}

// A resumed run starts repull_days before the saved cursor, on the same
// grid, so the windows it pulls again replace their earlier files: the
// lake holds every session once, the re-pulled ones with their new
// values, the older ones as they were.
func TestResumeFromCursorWithRepull(t *testing.T) {
	d0 := date("2021-11-29") // on the 10-day grid
	e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	// Sessions up to the first run's day (day 40, created at 09:00).
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 41, First: d0.Add(9 * time.Hour), Every: 24 * time.Hour}))
	day := func(n int) string { return d0.AddDate(0, 0, n).Format(time.DateOnly) }
	name := CursorName("createdAt")

	opts := apiOptions(t, e, "window_days", "10", "start", day(0))
	r1 := mustRun(t, opts, "", nil, noon(day(40)))
	// Five windows up to today's ([40, 50)); the cursor stops at today,
	// which is not over.
	if len(e.Calls()) != 5 || r1.cursors[name] != day(40) || len(lakecheck.Table(t, r1.out, SessionTableName)) != 41 {
		t.Fatalf("first run: %d requests, cursors %v", len(e.Calls()), r1.cursors)
	}
	// Every session changes and five more are created; only those the
	// second run pulls again show it.
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 46, First: d0.Add(9 * time.Hour), Every: 24 * time.Hour,
		Notes: "v2", Updated: d0.AddDate(0, 0, 44)}))
	e.ResetCounts()
	delete(opts, "start")
	r2 := mustRun(t, opts, r1.out, r1.cursors, noon(day(45)))
	calls := e.Calls()
	if len(calls) != 2 || calls[0].StartDate != day(30) || calls[0].EndDate != day(39) || calls[1].StartDate != day(40) || calls[1].EndDate != day(49) {
		t.Fatalf("resumed run asked for %+v, want %s..%s and %s..%s", calls, day(30), day(39), day(40), day(49))
	}
	if r2.cursors[name] != day(45) {
		t.Fatalf("cursors %v, want %s (today is not over)", r2.cursors, day(45))
	}
	tables := exactlyOnce(t, r2.out)
	if n := len(tables[SessionTableName]); n != 46 {
		t.Fatalf("%d sessions", n)
	}
	sessions := ids(tables[SessionTableName], "id")
	for i := range 46 {
		want := ""
		if i >= 30 {
			want = "v2"
		}
		if got := sessions[fmt.Sprintf("s-%05d", i)]["coach_notes"]; got != want {
			t.Errorf("session %d: notes %v, want %q", i, got, want)
		}
	}
	for _, tb := range []string{ActivityLogTableName, PointTableName, TodoTableName} {
		if n := len(tables[tb]); n != 46 {
			t.Errorf("%s: %d rows", tb, n)
		}
	}
}

// Known limit (APIKindName doc): a point linked to sessions of two windows
// is written under the first window of each run that carries it. A run
// that pulls only the later window writes it again there, so the lake
// holds one copy per window file until both windows are pulled together.
func TestSharedPointAcrossRunsIsRepeatedPerWindow(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true})
	r1 := mustRun(t, apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01"), "", nil, noon("2022-03-15"))
	exactlyOnce(t, r1.out)
	// Only the second window (2021-12-29..2022-01-27): session 2 and the
	// point it shares with session 1.
	r2 := mustRun(t, apiOptions(t, e, "start", "2021-12-29", "end", "2022-01-28"), r1.out, nil, noon("2022-03-15"))
	n := 0
	for _, p := range lakecheck.Table(t, r2.out, PointTableName) {
		if p["id"] == "61a7c1a0e4b0a1b2c3d4f001" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("the shared point is in the lake %d times; the documented limit says 2", n)
	}
	if s := lakecheck.Table(t, r2.out, SessionTableName); len(s) != 2 {
		t.Fatalf("%d sessions", len(s))
	}
	// Pulling both windows again puts it back to one copy.
	r3 := mustRun(t, apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01"), r2.out, nil, noon("2022-03-15"))
	exactlyOnce(t, r3.out)
}

// Every window pulled is an input, even one that returned no session, so
// that a rerun in which a window comes back empty removes its old files.
func TestEmptyWindowsAreInputs(t *testing.T) {
	_, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	opts["end"] = "2022-01-28" // two windows past the last session
	r := mustRun(t, opts, "", nil, noon("2022-03-01"))
	if len(r.res.Inputs) != 6 {
		t.Fatalf("%d inputs, want the 6 windows: %+v", len(r.res.Inputs), r.res.Inputs)
	}
	wholeFixture(t, r.out)
}
