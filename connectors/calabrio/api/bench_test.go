package api

import (
	"testing"

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
