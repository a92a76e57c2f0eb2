package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

const reportID = "RP1_22_0_8o448kr6ll3sbkgvvfkj7"

// reportRows makes n report rows, one a minute from day0: an agent name,
// a call count, a handle time, a date and the epoch-ms start time.
func reportRows(n int) [][]string {
	out := make([][]string, n)
	for i := range out {
		t := day0.Add(time.Duration(i) * time.Minute)
		out[i] = []string{fmt.Sprintf("Agent %d", i), strconv.Itoa(i % 50), fmt.Sprintf("%d.5", i%300),
			t.Format("1/2/2006"), strconv.FormatInt(t.UnixMilli(), 10), "x"}
	}
	return out
}

var reportHeader = []string{"Agent Name", "Calls", "Handle Time", "Date", "Contact Start", "Note"}

const reportColumns = "Agent Name=string;Calls=int64;Handle Time=float64;Date=date;Contact Start=timestamp"

func reportEmu(t testing.TB, rep *calabriotest.Report, o calabriotest.Options) *calabriotest.Emulator {
	if rep.Header == nil {
		rep.Header = reportHeader
	}
	o.Reports = map[string]*calabriotest.Report{reportID: rep}
	return calabriotest.New(t, o)
}

func reportOpts(e *calabriotest.Emulator, kvs ...string) map[string]string {
	return opts(e, append([]string{"report_id", reportID, "report_name", "agent_calls", "columns", reportColumns}, kvs...)...)
}

// checkReportRows reads the report table back and checks that it holds
// rows [0, n) exactly once, typed.
func checkReportRows(t *testing.T, out string, n int) []map[string]any {
	t.Helper()
	rs := rows(t, out, ReportTablePrefix+"agent_calls")
	byName := uniqueBy(t, rs, "agent_name")
	if len(rs) != n {
		t.Fatalf("%d report rows, want %d", len(rs), n)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		if n == 0 {
			break
		}
		r := byName[fmt.Sprintf("Agent %d", i)]
		ts := day0.Add(time.Duration(i) * time.Minute)
		want := map[string]any{"calls": int64(i % 50), "handle_time": float64(i%300) + 0.5,
			"date": int32(ts.Unix() / 86400), "contact_start": ts.UnixMilli(), "qname": reportID}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("row %d: %s = %v (%T), want %v", i, k, r[k], r[k], v)
			}
		}
		if other, _ := r["other_columns"].(map[string]any); other["Note"] != "x" {
			t.Errorf("row %d: other_columns %v, want Note=x", i, r["other_columns"])
		}
	}
	return rs
}

// 25,000 rows take ceil(25000/10000) = 3 export requests, plus the login
// and the logout.
func TestReportSyncPaging(t *testing.T) {
	for _, n := range []int{25000, 20000, 0} {
		e := reportEmu(t, &calabriotest.Report{Rows: reportRows(n)}, calabriotest.Options{})
		r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
		checkReportRows(t, r.out, n)
		pages := max((n+MaxPageRows-1)/MaxPageRows, 1)
		if st := e.Stats(); st.Routes["POST export"] != pages || st.Requests != pages+2 {
			t.Errorf("%d rows: %d export POSTs, %d requests; want %d and %d", n, st.Routes["POST export"], st.Requests, pages, pages+2)
		}
		if jobs := rows(t, r.out, ExportJobTable); len(jobs) != 0 {
			t.Errorf("%d export jobs for synchronous answers", len(jobs))
		}
	}
}

// Without Content-Extent the pages run until a short one.
func TestReportWithoutExtent(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(2500), NoExtent: true}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e, "page_rows", "1000"), nil, now)
	checkReportRows(t, r.out, 2500)
	if n := e.Stats().Routes["POST export"]; n != 3 {
		t.Errorf("%d export POSTs, want 3", n)
	}
}

// The request body has the reference example's shape: the same keys, the
// schema names verbatim, the rows and columns pages.
func TestReportRequestBody(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{QName: "RP1_217_0_getk05bhup57b3nmd3il1", Rows: reportRows(3)}, calabriotest.Options{})
	mustRun(t, ReportKind(), reportOpts(e, "qname", "RP1_217_0_getk05bhup57b3nmd3il1", "params", "[{'name':'Team','value':{'isAll':'false','values':[122.0],'containsNull':'false'}}]", "column_limit", "50"), nil, now)
	bodies := e.ExportBodies()
	if len(bodies) != 1 {
		t.Fatalf("%d export bodies", len(bodies))
	}
	var got, ref map[string]any
	if err := json.Unmarshal([]byte(bodies[0]), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(calabriotest.ReportPostRequest, &ref); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys(got), keys(ref)) || !reflect.DeepEqual(keys(got["state"]), keys(ref["state"])) ||
		!reflect.DeepEqual(keys(got["paramValues"]), keys(ref["paramValues"])) {
		t.Errorf("body keys %v / %v / %v differ from the reference's %v / %v / %v", keys(got), keys(got["state"]), keys(got["paramValues"]),
			keys(ref), keys(ref["state"]), keys(ref["paramValues"]))
	}
	pv := got["paramValues"].(map[string]any)
	if got["action"] != "EXPORT_CSV" || pv["schemaName"] != ref["paramValues"].(map[string]any)["schemaName"] ||
		pv["encodedParamValues"] != ref["paramValues"].(map[string]any)["encodedParamValues"] {
		t.Errorf("body %s", bodies[0])
	}
	ps := got["pageSpecification"].([]any)
	if fmt.Sprint(ps) != "[map[limit:10000 offset:0] map[limit:50 offset:0]]" {
		t.Errorf("pageSpecification %v", ps)
	}
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The asynchronous path: a request ID, polled through Queued and
// Processing to the CSV, one cal_report_export_job row per request.
func TestReportAsync(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(12000), Async: true}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 12000)
	jobs := uniqueBy(t, rows(t, r.out, ExportJobTable), "request_id")
	if len(jobs) != 2 {
		t.Fatalf("%d export jobs, want 2", len(jobs))
	}
	var total int64
	for _, j := range jobs {
		if fmt.Sprint(j["status_history"]) != "[Queued Processing Completed]" || j["final_status"] != "Completed" ||
			j["polls"] != int64(2) || j["submission"] != int64(1) {
			t.Errorf("job %v", j)
		}
		total += j["rows"].(int64)
	}
	if total != 12000 {
		t.Errorf("jobs returned %d rows, want 12000", total)
	}
	if st := e.Stats(); st.Routes["GET export/request"] != 4 {
		t.Errorf("%d polls, want 4", st.Routes["GET export/request"])
	}
}

// A poll may answer with a new request ID, which is followed.
func TestReportNewRequestID(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(10), Async: true, NewIDOnPoll: true}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 10)
	jobs := rows(t, r.out, ExportJobTable)
	if len(jobs) != 1 || len(jobs[0]["request_ids"].([]any)) != 2 {
		t.Errorf("jobs %v, want one with two request ids", jobs)
	}
}

// Failed, Canceled and Expired requests are submitted again; every row
// arrives once and every request has its row.
func TestReportResubmits(t *testing.T) {
	scripts := [][]string{
		{calabriotest.Queued, calabriotest.Processing, calabriotest.Expired},
		{calabriotest.Queued, calabriotest.Failed},
		{calabriotest.Canceled},
		{calabriotest.Queued, calabriotest.Processing, calabriotest.Processing},
	}
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(500), Async: true, Scripts: scripts}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 500)
	rs := rows(t, r.out, ExportJobTable)
	sort.Slice(rs, func(i, j int) bool { return rs[i]["submission"].(int64) < rs[j]["submission"].(int64) })
	var finals []string
	for _, j := range rs {
		finals = append(finals, j["final_status"].(string))
	}
	if strings.Join(finals, ",") != "Expired,Failed,Canceled,Completed" {
		t.Errorf("final statuses %v", finals)
	}
	if r.res.Report["resubmits"] != 3 {
		t.Errorf("report %v", r.res.Report)
	}
}

// The fault case of the brief: an export that ends Expired, then succeeds
// when submitted again.
func TestReportExpiredThenSucceeds(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(30), Async: true,
		Scripts: [][]string{{calabriotest.Queued, calabriotest.Expired}}}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 30)
	if n := e.Stats().Routes["POST export"]; n != 2 {
		t.Errorf("%d export POSTs, want 2", n)
	}
}

func TestReportResubmitLimit(t *testing.T) {
	always := [][]string{{calabriotest.Expired}, {calabriotest.Expired}, {calabriotest.Expired}}
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(30), Async: true, Scripts: always}, calabriotest.Options{})
	r := run(t, ReportKind(), reportOpts(e, "max_resubmits", "2"), nil, now)
	if r.err == nil || !strings.Contains(r.err.Error(), "Expired 3 times") {
		t.Fatalf("err %v", r.err)
	}
	nothingCommitted(t, r.out)
}

// Blacklisted stops the run with a clear error and nothing committed,
// even when earlier windows were exported.
func TestReportBlacklisted(t *testing.T) {
	scripts := [][]string{{calabriotest.Queued}, {calabriotest.Queued, calabriotest.Blacklisted}}
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(3 * 1440), Async: true, Scripts: scripts, Filter: true, TimeColumn: 4}, calabriotest.Options{})
	o := reportOpts(e, "params", "[{'name':'pDate','value':{'start':{start_ms},'end':{end_ms}}}]", "start", "2024-03-01", "end", "2024-03-04")
	r := run(t, ReportKind(), o, nil, now)
	if !errors.Is(r.err, ErrBlacklisted) || !strings.Contains(r.err.Error(), "lower rate_limit") {
		t.Fatalf("err %v, want ErrBlacklisted", r.err)
	}
	nothingCommitted(t, r.out)
	if n := e.Stats().Routes["POST export"]; n != 2 {
		t.Errorf("%d export POSTs, want 2 (no resubmit after Blacklisted)", n)
	}
}

// A Date Range parameter makes day windows: each POST carries its
// window's epoch bounds, rows land once, the cursor moves, and a resumed
// run starts at the cursor less repull_days.
func TestReportWindowsAndCursor(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(5 * 1440), Filter: true, TimeColumn: 4}, calabriotest.Options{})
	params := "[{'name':'pDate','value':{'start':{start_ms},'end':{end_ms}}}]"
	r := mustRun(t, ReportKind(), reportOpts(e, "params", params, "start", "2024-03-01", "end", "2024-03-03"), nil, now)
	checkReportRows(t, r.out, 2*1440)
	bodies := e.ExportBodies()
	if len(bodies) != 2 || !strings.Contains(bodies[0], fmt.Sprintf("'start':%d,'end':%d", days(0).UnixMilli(), days(1).UnixMilli())) {
		t.Errorf("bodies %v", bodies)
	}
	if r.cursors[ReportCursor] != "2024-03-03" {
		t.Fatalf("cursor %v", r.cursors)
	}
	for _, row := range rows(t, r.out, ReportTablePrefix+"agent_calls") {
		start := row["window_start"].(int64)
		if c := row["contact_start"].(int64); c < start || c >= row["window_end"].(int64) {
			t.Fatalf("row outside its window: %v", row)
		}
	}
	files := lakecheck.Files(t, r.out, ReportTablePrefix+"agent_calls")
	if len(files) != 2 || !strings.Contains(files[0], "2024-03-01") {
		t.Errorf("files %v, want one per window_start day", files)
	}
	// Resume on 03-05 at noon with repull_days 1: windows 03-02 to 03-05.
	second := mustRun(t, ReportKind(), reportOpts(e, "params", params, "repull_days", "1"), r.cursors, days(4).Add(12*time.Hour))
	rs := rows(t, second.out, ReportTablePrefix+"agent_calls")
	if len(rs) != 4*1440 {
		t.Errorf("resumed run: %d rows, want %d", len(rs), 4*1440)
	}
	if second.cursors[ReportCursor] != "2024-03-05" {
		t.Errorf("resumed cursor %v", second.cursors)
	}
}

func TestReportRejects(t *testing.T) {
	rs := reportRows(5)
	rs[1][1] = "many"       // Calls is int64
	rs[3] = rs[3][:2]       // short row
	rs[4][3] = "31/12/2024" // not M/D/YYYY
	e := reportEmu(t, &calabriotest.Report{Rows: rs}, calabriotest.Options{})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	if n := len(rows(t, r.out, ReportTablePrefix+"agent_calls")); n != 2 {
		t.Errorf("%d rows written, want 2", n)
	}
	rej := lakecheck.Rejects(t, r.out, ReportTablePrefix+"agent_calls")
	if len(rej) != 3 {
		t.Fatalf("rejects %+v", rej)
	}
	got := map[int64]string{}
	for _, x := range rej {
		got[*x.Record] = x.Column
		if strings.Contains(x.Reason, "many") || strings.Contains(x.Reason, "31/12") {
			t.Errorf("reason shows the value: %s", x.Reason)
		}
		if !strings.HasPrefix(x.Source, "POST /api/rest/dataexplorer/report/"+reportID+"/export page 1") {
			t.Errorf("source %q", x.Source)
		}
	}
	if got[1] != "Calls" || got[3] != "" || got[4] != "Date" {
		t.Errorf("rejected records/columns %v", got)
	}
	// dmy reads the same date
	r2 := mustRun(t, ReportKind(), reportOpts(e, "date_order", "dmy", "columns", "Agent Name;Date=date"), nil, now)
	if n := len(rows(t, r2.out, ReportTablePrefix+"agent_calls")); n != 4 {
		t.Errorf("dmy: %d rows, want 4 (only the short row rejected)", n)
	}
}

func TestReportOptions(t *testing.T) {
	_, err := parseReportOptions(map[string]string{"report_name": "Bad Name", "columns": "A=int;B", "params": "[{start_ms}]",
		"page_rows": "20000", "start": "2024-01-01"})
	for _, want := range []string{"base_url is required", "report_id is required", "report_name is required", "unknown type \"int\"",
		"needs both a start", "page_rows"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	_, err = parseReportOptions(map[string]string{"base_url": "https://x", "username": "u", "password": "p", "report_id": "r",
		"report_name": "r", "columns": "QName;Row Offset"})
	if err == nil || !strings.Contains(err.Error(), "collides") {
		t.Errorf("column collision: %v", err)
	}
	_, err = parseReportOptions(map[string]string{"base_url": "https://x", "username": "u", "password": "p", "report_id": "r",
		"report_name": "r", "columns": "Agent=string", "partition_by": "agent"})
	if err == nil || !strings.Contains(err.Error(), "not a date or timestamp") {
		t.Errorf("partition_by on a string: %v", err)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"Agent Name": "agent_name", "Handle Time (s)": "handle_time_s", "HandleTime": "handle_time", "ACD ID": "acd_id",
		"contactStartTimeMs": "contact_start_time_ms", "% Occupancy": "occupancy", "2nd Call": "c_2nd_call", "ID": "id",
		"AHTSeconds": "aht_seconds", "Durée moyenne": "durée_moyenne", "": "column",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentExtent(t *testing.T) {
	for v, want := range map[string]int{"25000,4": 25000, "rows=12; columns=3": 12, "": -1, "none": -1} {
		h := map[string][]string{}
		if v != "" {
			h["Content-Extent"] = []string{v}
		}
		if got := contentExtent(h); got != want {
			t.Errorf("Content-Extent %q: %d, want %d", v, got, want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for body, want := range map[string]statusAnswer{
		`{"requestId":"a","status":"Queued"}`:          {"a", StatusQueued},
		`{"RequestID":7,"Status":"processing"}`:        {"7", StatusProcessing},
		`{"id":"x","requestId":"y","state":"EXPIRED"}`: {"y", StatusExpired},
		`{"status":"Blacklisted"}`:                     {"", StatusBlacklisted},
	} {
		got, err := parseStatus([]byte(body))
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", body, got, err, want)
		}
	}
	if _, err := parseStatus([]byte(`{"requestId":"a","status":"Sleeping"}`)); err == nil || !strings.Contains(err.Error(), "unknown export status") {
		t.Errorf("unknown status: %v", err)
	}
}

// A session that expires while an export is polled is renewed; pages and
// polls go on where they were.
func TestReportSessionExpiresMidRun(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(25000), Async: true}, calabriotest.Options{SessionRequests: 2})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 25000)
	if st := e.Stats(); st.Logins < 4 || st.Expired < 3 {
		t.Errorf("logins %d, expired %d: the session did not expire and renew mid-run", st.Logins, st.Expired)
	}
	if n := len(rows(t, r.out, ExportJobTable)); n != 3 {
		t.Errorf("%d export jobs, want 3 (a renewed session does not resubmit)", n)
	}
	// The same with a session that times out (after 40ms) while polls wait.
	e = reportEmu(t, &calabriotest.Report{Rows: reportRows(25000), Async: true,
		Scripts: [][]string{{calabriotest.Queued, calabriotest.Processing, calabriotest.Processing}}},
		calabriotest.Options{SessionTTL: 40 * time.Millisecond})
	r = mustRun(t, ReportKind(), reportOpts(e, "poll_interval", "30ms", "poll_max_interval", "30ms"), nil, now)
	checkReportRows(t, r.out, 25000)
	if st := e.Stats(); st.Expired == 0 || st.Logins < 2 {
		t.Errorf("logins %d, expired %d: the session did not time out and renew", st.Logins, st.Expired)
	}
}
