package api

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// noRejects fails the test when a run rejected any row: a pull where the
// tenant's data is all decodable must exit 0, not "finished with rejected
// rows".
func noRejects(t *testing.T, r runOut) {
	t.Helper()
	if n := r.res.Totals().RowsRejected; n != 0 {
		t.Errorf("%d rejected rows in a healthy pull: %+v", n, r.res.Tables)
	}
}

// withoutRecording marks every step-th contact as having neither audio nor
// screen uploaded and returns their ids.
func withoutRecording(cs []calabriotest.Contact, step int) map[int64]bool {
	ids := map[int64]bool{}
	for i := 0; i < len(cs); i += step {
		cs[i].Fields = map[string]any{"audioUploaded": false, "screenUploaded": false}
		ids[cs[i].ID] = true
	}
	return ids
}

// 500 contacts, 42 of them without a recording, transcripts on: only the
// 458 recorded contacts are asked for a transcript, and the run rejects
// nothing.
func TestContactsHealthyPullExitsClean(t *testing.T) {
	cs := calabriotest.ExampleContacts(day0, 5, 100, 1)
	bare := withoutRecording(cs, 12) // 42 contacts
	if len(bare) != 42 {
		t.Fatalf("%d contacts without a recording", len(bare))
	}
	e := calabriotest.New(t, calabriotest.Options{Contacts: cs})
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 5, "transcripts", "true"), nil, now)
	noRejects(t, r)
	if n := e.Stats().Routes["PUT speechtextview"]; n != 458 {
		t.Errorf("%d transcript requests, want 458 (only contacts with a recording)", n)
	}
	got := rows(t, r.out, TranscriptTable)
	if len(got) != 458 {
		t.Errorf("%d transcripts, want 458", len(got))
	}
	for _, row := range got {
		if bare[row["ccrid"].(int64)] {
			t.Errorf("a transcript row for contact %v, which has no recording", row["ccrid"])
		}
	}
	rep := r.res.Report
	if rep["transcripts"] != int64(458) || rep["transcripts_skipped_no_recording"] != int64(42) ||
		rep["transcripts_unavailable"] != int64(0) || rep["contacts"] != int64(500) {
		t.Errorf("report %v", rep)
	}
}

// A recorded contact whose transcript or media the tenant does not have
// yet is counted (with its id), not rejected; the next run's repull of the
// trailing day asks again and writes it, replacing the day's files.
func TestContactsUnavailableAskedAgainByRepull(t *testing.T) {
	cs := calabriotest.ExampleContacts(day0, 3, 4, 1) // ids 1-4 on day 0, 5-8 on day 1, 9-12 on day 2
	withoutRecording(cs, 4)                           // 1, 5, 9
	e := calabriotest.New(t, calabriotest.Options{Contacts: cs,
		NoTranscript: map[int64]bool{6: true}, NoMedia: map[int64]bool{7: true}})
	o := opts(e, "start", days(0).Format(time.DateOnly), "transcripts", "true", "media", "true")
	first := mustRun(t, ContactsKind(), o, nil, days(2).Add(12*time.Hour))
	noRejects(t, first)
	rep := first.res.Report
	if rep["transcripts_unavailable"] != int64(1) || fmt.Sprint(rep["transcripts_unavailable_ids"]) != "[6]" ||
		rep["media_unavailable"] != int64(1) || fmt.Sprint(rep["media_unavailable_ids"]) != "[7]" {
		t.Fatalf("first run: report %v", rep)
	}
	if first.cursors[ContactsCursor] != "2024-03-03" {
		t.Fatalf("first run: cursors %v", first.cursors)
	}

	// The transcript and the media are done before the next run, which
	// resumes from the cursor less repull_days (1): days 1 to 3, day 3
	// without contacts (the search answers 404).
	e.Provide(6, 7)
	puts := e.Stats().Routes["PUT speechtextview"]
	delete(o, "start")
	second := runIn(t, first.out, o, first.cursors, days(3).Add(12*time.Hour))
	noRejects(t, second)
	if n := e.Stats().Routes["PUT speechtextview"] - puts; n != 6 {
		t.Errorf("second run: %d transcript requests, want 6 (the recorded contacts of days 1 and 2)", n)
	}
	rep = second.res.Report
	if rep["transcripts_unavailable"] != int64(0) || rep["media_unavailable"] != int64(0) ||
		rep["transcripts"] != int64(6) || rep["days_without_contacts"] != int64(1) {
		t.Errorf("second run: report %v", rep)
	}
	if second.cursors[ContactsCursor] != "2024-03-04" {
		t.Errorf("second run: cursors %v", second.cursors)
	}
	// The lake now holds every recorded contact's transcript and media
	// once, the late ones included.
	want := []int64{2, 3, 4, 6, 7, 8, 10, 11, 12}
	for table, col := range map[string]string{TranscriptTable: "ccrid", MediaTable: "contact_id"} {
		var ids []int64
		for k := range uniqueBy(t, rows(t, first.out, table), col) {
			var id int64
			fmt.Sscan(k, &id)
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			t.Errorf("%s: contacts %v, want %v", table, ids, want)
		}
	}
	if n := len(uniqueBy(t, rows(t, first.out, ContactTable), "id")); n != 12 {
		t.Errorf("%d contacts in the lake, want 12", n)
	}
}

// runIn is run into an existing lake folder.
func runIn(t *testing.T, out string, o, cursors map[string]string, now time.Time) runOut {
	t.Helper()
	o = only(ContactsKind(), o)
	r := lakecheck.RunWith(t, ContactsKind(), lakecheck.Options{Opts: o, Out: out, Cursors: cursors, Now: now})
	if r.Err != nil {
		t.Fatalf("run into %s: %v", out, r.Err)
	}
	return runOut{res: r.Result, out: r.Out, cursors: r.Cursors}
}

// A day the search finds no contact for is answered 404 by the tenant:
// an empty day, neither an error nor a reject; the day is still named so
// that a rerun removes files an earlier run wrote for it.
func TestContactsEmptyDayIs404(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 1, 2) // contacts on day 0 only
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 3, "transcripts", "true"), nil, now)
	noRejects(t, r)
	if n := len(rows(t, r.out, ContactTable)); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
	if r.res.Report["days_without_contacts"] != int64(2) || len(r.res.Inputs) != 3 {
		t.Errorf("report %v, inputs %d", r.res.Report, len(r.res.Inputs))
	}
	if n := e.Stats().Routes["GET contact"]; n != 3 {
		t.Errorf("%d searches, want 3 (routes %v)", n, e.Stats().Routes)
	}
}
