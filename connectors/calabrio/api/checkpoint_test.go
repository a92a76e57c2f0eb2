package api

import (
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// checkCheckpoints checks one checkpoint per window, in order: its input
// names the window (window(i) is a part of the name), it carries
// cursor=want[i] and follows rows[i] rows read, every row of the windows up
// to it.
func checkCheckpoints(t *testing.T, cps []lakecheck.Checkpoint, last lakecheck.Counts, cursor string, window func(int) string, want []string, rows []int64) {
	t.Helper()
	if len(cps) != len(want) {
		t.Fatalf("%d checkpoints, want one per window (%d): %+v", len(cps), len(want), cps)
	}
	for i, cp := range cps {
		if !strings.Contains(cp.Input, window(i)) {
			t.Errorf("checkpoint %d names %s, want the window %s", i, cp.Input, window(i))
		}
		if got := cp.Cursors[cursor]; got != want[i] || len(cp.Cursors) != 1 {
			t.Errorf("checkpoint %d carries %v, want %s=%s", i, cp.Cursors, cursor, want[i])
		}
		if cp.Before.Read != rows[i] {
			t.Errorf("checkpoint %d follows %d rows, want %d", i, cp.Before.Read, rows[i])
		}
	}
	if cps[len(cps)-1].Before != last {
		t.Errorf("rows after the last checkpoint: %+v then %+v", cps[len(cps)-1].Before, last)
	}
}

// A windowed report checkpoints each window after its last page, with the
// window's end capped at today's start and never before the saved cursor.
func TestReportCheckpointPerWindow(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(5 * 1440), Filter: true, TimeColumn: 4}, calabriotest.Options{})
	params := "[{'name':'pDate','value':{'start':{start_ms},'end':{end_ms}}}]"
	o := only(ReportKind(), reportOpts(e, "params", params, "start", "2024-03-01", "end", "2024-03-05", "page_rows", "500"))
	c, cps, err := lakecheck.DrainWith(t, ReportKind(), lakecheck.Options{Opts: o, Now: days(3).Add(12 * time.Hour),
		Cursors: map[string]string{ReportCursor: "2024-03-03"}})
	if err != nil {
		t.Fatal(err)
	}
	window := func(i int) string {
		return "window=" + days(i).Format(time.DateOnly) + "%2F" + days(i+1).Format(time.DateOnly)
	}
	checkCheckpoints(t, cps, c, ReportCursor, window,
		[]string{"2024-03-03", "2024-03-03", "2024-03-04", "2024-03-04"}, []int64{1440, 2 * 1440, 3 * 1440, 4 * 1440})

	// A report without date placeholders is one export, no cursor: no
	// checkpoint.
	_, cps, err = lakecheck.DrainWith(t, ReportKind(), lakecheck.Options{Opts: only(ReportKind(), reportOpts(e)), Now: now})
	if err != nil || len(cps) != 0 {
		t.Fatalf("unwindowed report: %d checkpoints, %v", len(cps), err)
	}
}

// calabrio-contacts checkpoints each day after its contacts, metadata,
// media and transcripts.
func TestContactsCheckpointPerDay(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 5, 20)
	o := only(ContactsKind(), contactRange(e, 0, 5, "media", "true", "transcripts", "true"))
	c, cps, err := lakecheck.DrainWith(t, ContactsKind(), lakecheck.Options{Opts: o, Now: days(3).Add(10 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	window := func(i int) string {
		return "beginDate=" + days(i).Format(time.DateOnly) + "&endDate=" + days(i+1).Format(time.DateOnly)
	}
	// 20 contacts a day, each with 2 metadata rows, a media file and a
	// transcript; today is 03-04, so the cursor stops there.
	checkCheckpoints(t, cps, c, ContactsCursor, window,
		[]string{"2024-03-02", "2024-03-03", "2024-03-04", "2024-03-04", "2024-03-04"}, []int64{100, 200, 300, 400, 500})
}
