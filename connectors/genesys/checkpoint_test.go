package genesys

import (
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// Each cell ends with one checkpoint, in cell order, after the cell's
// appointments, attendees, status history and annotations, carrying the
// later of the saved cursor and the cell's end (at most end).
func TestCheckpointPerCell(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e) // 2024-01-04 .. 2024-01-13, 3 appointments a day, 7 rows each
	opts := options(e, users, "end", "2024-01-14", "window_days", "3", "page_size", "4", "users_per_request", "2")
	c, cps, err := lakecheck.DrainWith(t, Kind(), lakecheck.Options{Opts: opts, Now: day0.AddDate(0, 1, 0),
		Cursors: map[string]string{CursorName: "2024-01-08"}})
	if err != nil {
		t.Fatal(err)
	}
	// Cells of the 3-day grid: [01-03, 01-06), [01-06, 01-09), [01-09,
	// 01-12), [01-12, 01-15).
	starts := []string{"2024-01-03", "2024-01-06", "2024-01-09", "2024-01-12"}
	want := []string{"2024-01-08", "2024-01-09", "2024-01-12", "2024-01-14"}
	written := []int64{2 * 21, 5 * 21, 8 * 21, 10 * 21} // rows of the days up to each cell's end
	if len(cps) != len(starts) {
		t.Fatalf("%d checkpoints, want one per cell (%d): %+v", len(cps), len(starts), cps)
	}
	for i, cp := range cps {
		if !strings.Contains(cp.Input, "interval="+starts[i]+"T00:00:00Z/") {
			t.Errorf("checkpoint %d names %s, want the cell from %s", i, cp.Input, starts[i])
		}
		if got := cp.Cursors[CursorName]; got != want[i] || len(cp.Cursors) != 1 {
			t.Errorf("checkpoint %d carries %v, want %s=%s", i, cp.Cursors, CursorName, want[i])
		}
		if cp.Before.Written != written[i] {
			t.Errorf("checkpoint %d follows %d rows, want %d (the cell's rows and children)", i, cp.Before.Written, written[i])
		}
	}
	if cps[len(cps)-1].Before != c {
		t.Errorf("rows after the last checkpoint: %+v then %+v", cps[len(cps)-1].Before, c)
	}
}
