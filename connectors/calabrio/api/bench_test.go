package api

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// BenchmarkReportExport exports 25,000 rows: the minimum is one login,
// ceil(25000/10000) = 3 export pages and one logout.
func BenchmarkReportExport(b *testing.B) {
	const n = 25000
	e := calabriotest.NewServer(calabriotest.Options{Reports: map[string]*calabriotest.Report{
		reportID: {Header: reportHeader, Rows: reportRows(n)}}})
	defer e.Close()
	o := reportOpts(e)
	want := 1 + (n+MaxPageRows-1)/MaxPageRows + 1
	b.ResetTimer()
	for b.Loop() {
		before := e.Stats().Requests
		r := mustRun(b, ReportKind(), o, nil, now)
		if got := e.Stats().Requests - before; got != want {
			b.Fatalf("%d requests, want the minimum %d", got, want)
		}
		if r.res.Tables[ReportTablePrefix+"agent_calls"].RowsOut != n {
			b.Fatalf("rows %+v", r.res.Tables)
		}
	}
	b.ReportMetric(float64(want), "requests/op")
	b.ReportMetric(float64(n), "rows/op")
}

// BenchmarkAsyncReportExport is the asynchronous path: per page one POST and
// two polls (Queued -> Processing -> CSV), the emulator's default script.
func BenchmarkAsyncReportExport(b *testing.B) {
	const n = 25000
	e := calabriotest.NewServer(calabriotest.Options{Reports: map[string]*calabriotest.Report{
		reportID: {Header: reportHeader, Rows: reportRows(n), Async: true}}})
	defer e.Close()
	o := reportOpts(e)
	pages := (n + MaxPageRows - 1) / MaxPageRows
	want := 1 + pages*(1+len(calabriotest.DefaultScript)) + 1
	for b.Loop() {
		before := e.Stats().Requests
		mustRun(b, ReportKind(), o, nil, now)
		if got := e.Stats().Requests - before; got != want {
			b.Fatalf("%d requests, want the minimum %d", got, want)
		}
	}
	b.ReportMetric(float64(want), "requests/op")
}

// BenchmarkContacts searches 30 days of 10 contacts: one login, one search
// a day (no pagination is documented) and one logout.
func BenchmarkContacts(b *testing.B) {
	const nDays, perDay = 30, 10
	e := calabriotest.NewServer(calabriotest.Options{Contacts: calabriotest.ExampleContacts(day0, nDays, perDay, 1)})
	defer e.Close()
	o := opts(e, "start", days(0).Format("2006-01-02"), "end", days(nDays).Format("2006-01-02"))
	want := 1 + nDays + 1
	for b.Loop() {
		before := e.Stats().Requests
		r := mustRun(b, ContactsKind(), o, nil, now)
		if got := e.Stats().Requests - before; got != want {
			b.Fatalf("%d requests, want the minimum %d", got, want)
		}
		if r.res.Tables[ContactTable].RowsOut != nDays*perDay {
			b.Fatalf("rows %+v", r.res.Tables)
		}
	}
	b.ReportMetric(float64(want), "requests/op")
}

// BenchmarkOrgExport pulls the three exports: login, 3 GETs, logout.
func BenchmarkOrgExport(b *testing.B) {
	e := calabriotest.NewServer(calabriotest.Options{})
	defer e.Close()
	o := opts(e)
	const want = 5
	for b.Loop() {
		before := e.Stats().Requests
		mustRun(b, OrgExportKind(), o, nil, now)
		if got := e.Stats().Requests - before; got != want {
			b.Fatalf("%d requests, want %d", got, want)
		}
	}
	b.ReportMetric(want, "requests/op")
}

// BenchmarkContactsMedia pulls 200 contacts over 4 days with their media
// (prepared on the second GET, 200ms after the export POST) and
// transcripts, at a rate limit of 100 requests a second that the emulator
// enforces, one contact at a time and DefaultConcurrency at once. x-floor is the pull's
// time over the floor the rate limit implies for its requests: one at a
// time, each contact's media wait adds up; many at once, the rate limit
// bounds the pull.
//
//	go test -run '^$' -bench ContactsMedia -benchtime 1x ./connectors/calabrio/api
func BenchmarkContactsMedia(b *testing.B) {
	for _, conc := range []string{"1", strconv.Itoa(DefaultConcurrency)} {
		b.Run("concurrency="+conc, func(b *testing.B) {
			const nDays, perDay, rate = 4, 50, 100
			e := calabriotest.NewServer(calabriotest.Options{Contacts: calabriotest.ExampleContacts(day0, nDays, perDay, 1),
				MediaReadyAfter: 1, Limits: []calabriotest.Window{{Requests: rate, Per: time.Second}}})
			defer e.Close()
			o := opts(e, "start", days(0).Format("2006-01-02"), "end", days(nDays).Format("2006-01-02"), "media", "true",
				"transcripts", "true", "media_wait", "200ms", "media_max_wait", "200ms", "rate_limit", fmt.Sprintf("%d/1s", rate),
				"concurrency", conc)
			var ratio float64
			for b.Loop() {
				before := e.Stats()
				start := time.Now()
				r := mustRun(b, ContactsKind(), o, nil, now)
				took := time.Since(start)
				after := e.Stats()
				if r.res.Tables[MediaTable].RowsOut != nDays*perDay || r.res.Tables[TranscriptTable].RowsOut != nDays*perDay {
					b.Fatalf("rows %+v", r.res.Tables)
				}
				if after.TooManyRequests != before.TooManyRequests {
					b.Fatal("the pull was refused by the rate limit")
				}
				n := after.Requests - before.Requests
				ratio = float64(took) / float64(time.Duration(n-1)*time.Second/rate)
				b.ReportMetric(float64(n), "requests/op")
			}
			b.ReportMetric(ratio, "x-floor")
		})
	}
}
