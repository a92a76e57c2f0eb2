package maestroqa

import (
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// Each window ends with one checkpoint, in window order, after every row
// of the window, carrying the cursor the run would report had it ended
// there: the window's end, capped at the run's day, never before the saved
// cursor. Both duplicates modes (latest checkpoints as it decodes).
func TestCheckpointPerWindow(t *testing.T) {
	for _, mode := range []string{"first", "latest"} {
		e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
		opts["duplicates"] = mode
		// Windows of 10 days from 2021-11-29; the run's day is 2022-01-03
		// and the saved cursor 2021-12-25.
		c, cps, err := lakecheck.DrainWith(t, APIKind(), lakecheck.Options{Opts: opts, Now: noon("2022-01-03"),
			Cursors: map[string]string{"createdAt_window_end": "2021-12-25"}})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		starts := []string{"2021-11-29", "2021-12-09", "2021-12-19", "2021-12-29"}
		want := []string{"2021-12-25", "2021-12-25", "2021-12-29", "2022-01-03"}
		if len(cps) != len(starts) {
			t.Fatalf("%s: %d checkpoints, want one per window (%d)", mode, len(cps), len(starts))
		}
		if n := e.Counts().Requests; n != len(starts) {
			t.Fatalf("%s: %d requests", mode, n)
		}
		for i, cp := range cps {
			if !strings.Contains(cp.Input, "?startDate="+starts[i]+"&") {
				t.Errorf("%s: checkpoint %d names %s, want the window from %s", mode, i, cp.Input, starts[i])
			}
			if got := cp.Cursors["createdAt_window_end"]; got != want[i] || len(cp.Cursors) != 1 {
				t.Errorf("%s: checkpoint %d carries %v, want createdAt_window_end=%s", mode, i, cp.Cursors, want[i])
			}
			if i > 0 && cp.Before.Read <= cps[i-1].Before.Read {
				t.Errorf("%s: checkpoint %d follows no rows of its window", mode, i)
			}
		}
		if last := cps[len(cps)-1].Before; last != c {
			t.Errorf("%s: rows after the last checkpoint: %+v then %+v", mode, last, c)
		}
		emptyDir(t, opts["spool_dir"])
	}
}

// A run that completes no day (a future backfill without a saved cursor)
// checkpoints its windows without a cursor, as it reports none.
func TestCheckpointWithoutCursor(t *testing.T) {
	e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	opts := apiOptions(t, e, "start", "2022-06-01", "end", "2022-06-05", "window_days", "10")
	_, cps, err := lakecheck.DrainWith(t, APIKind(), lakecheck.Options{Opts: opts, Now: noon("2022-03-15")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 1 || cps[0].Cursors != nil {
		t.Fatalf("checkpoints %+v, want 1 (one window) without cursors", cps)
	}
}
