package maestroqa

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
	"github.com/ccetl/ccetl/pipeline"
)

func sortedRows(rows []map[string]any, cols []string) []map[string]any {
	key := func(r map[string]any) string {
		var k []string
		for _, c := range cols {
			k = append(k, fmt.Sprint(r[c]))
		}
		return strings.Join(k, "|")
	}
	out := append([]map[string]any(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

// The repaired reference example pulled through the API in three 30-day
// windows gives exactly the tables the file kind makes of the saved
// export: the point shared by the two sessions, which lie in different
// windows, is written once.
func TestAPIPullMatchesFileKind(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true})
	opts := apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01")
	r := mustRun(t, opts, "", nil, noon("2022-03-15"))

	want := [][2]string{{"2021-11-29", "2021-12-28"}, {"2021-12-29", "2022-01-27"}, {"2022-01-28", "2022-02-26"}}
	calls := e.Calls()
	if len(calls) != len(want) || e.Counts().Requests != len(want) {
		t.Fatalf("%d requests (%+v), want one per window: %v", e.Counts().Requests, calls, want)
	}
	for i, c := range calls {
		if c.StartDate != want[i][0] || c.EndDate != want[i][1] || c.TimeAxis != "createdAt" || c.Status != 200 {
			t.Errorf("request %d asked for %+v, want %v on createdAt", i, c, want[i])
		}
	}
	if calls[0].Sessions != 1 || calls[1].Sessions != 1 || calls[2].Sessions != 0 {
		t.Fatalf("sessions per window %+v", calls)
	}

	got := exactlyOnce(t, r.out)
	fileRes, fileOut := lakecheck.MustRun(t, Kind(), nil, filepath.Join("testdata", "export.json"))
	for _, tb := range Tables {
		a := sortedRows(got[tb.Name], keyCols[tb.Name])
		b := sortedRows(lakecheck.Table(t, fileOut, tb.Name), keyCols[tb.Name])
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the API pull wrote %d rows, the file kind %d, or they differ", tb.Name, len(a), len(b))
		}
		if r.res.Tables[tb.Name] != fileRes.Tables[tb.Name] {
			t.Errorf("%s: stats %+v, file kind %+v", tb.Name, r.res.Tables[tb.Name], fileRes.Tables[tb.Name])
		}
	}
	if s := r.res.Tables[PointTableName]; s.RowsMerged != 1 {
		t.Fatalf("points %+v: the shared point is not merged once", s)
	}
	if r.cursors[CursorName("createdAt")] != "2022-02-27" || len(r.cursors) != 1 {
		t.Fatalf("cursors %v", r.cursors)
	}
	emptyDir(t, opts["spool_dir"])

	// Files are named by the window's stable input.
	in := func(start, end string) string {
		return "maestroqa:" + e.URL() + SessionsPath + "?startDate=" + start + "&endDate=" + end + "&timeAxis=createdAt"
	}
	keys := map[string]bool{}
	for _, f := range lakecheck.Files(t, r.out, SessionTableName) {
		keys[strings.Split(filepath.Base(f), "-")[1]] = true
	}
	if len(keys) != 2 || !keys[pipeline.InputKey(in(want[0][0], want[0][1]))] || !keys[pipeline.InputKey(in(want[1][0], want[1][1]))] {
		t.Fatalf("session files are not named by their windows' inputs: %v", keys)
	}
	var inputs []string
	for _, i := range r.res.Inputs {
		inputs = append(inputs, i.Name)
		if i.Bytes == 0 && i.Name != in(want[2][0], want[2][1]) || len(i.SHA256) != 64 {
			t.Errorf("input %+v: no size or hash", i)
		}
	}
	if !reflect.DeepEqual(inputs, []string{in(want[0][0], want[0][1]), in(want[1][0], want[1][1]), in(want[2][0], want[2][1])}) {
		t.Fatalf("inputs %v", inputs)
	}
	rep, _ := r.res.Report["maestroqa_api"].(map[string]any)
	if rep["requests"] != int64(3) || rep["windows"] != 3 || rep["too_many_requests"] != int64(0) || rep["end_date"] != "inclusive" {
		t.Fatalf("report %v", r.res.Report)
	}
	if strings.Contains(fmt.Sprint(r.res.Report), e.Token()) {
		t.Fatal("the report shows the token")
	}
}

// With end_date=exclusive the windows ask for the next window's first day
// as endDate, and an emulator reading endDate that way serves the same.
func TestExclusiveEndDate(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true, EndExclusive: true})
	r := mustRun(t, apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01", "end_date", "exclusive"), "", nil, noon("2022-03-15"))
	calls := e.Calls()
	if len(calls) != 3 || calls[0].EndDate != "2021-12-29" || calls[1].StartDate != "2021-12-29" {
		t.Fatalf("calls %+v", calls)
	}
	if n := len(exactlyOnce(t, r.out)[SessionTableName]); n != 2 {
		t.Fatalf("%d sessions", n)
	}
}

// A mismatch the other way (the client says exclusive, the API reads
// inclusively) asks for each boundary day twice: the Decoder writes the
// session once and the report says so.
func TestOverlappingWindowsAreReported(t *testing.T) {
	e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	// A session created on 2021-12-29, the first day of the second window.
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 1, First: date("2021-12-29").Add(time.Hour), Every: time.Hour}))
	r := mustRun(t, apiOptions(t, e, "start", "2021-12-01", "end", "2022-01-10", "end_date", "exclusive"), "", nil, noon("2022-03-15"))
	if n := len(exactlyOnce(t, r.out)[SessionTableName]); n != 1 {
		t.Fatalf("%d sessions", n)
	}
	rep := r.res.Report["maestroqa_api"].(map[string]any)
	if rep["sessions_repeated"] != int64(1) {
		t.Fatalf("report %v", rep)
	}
}

// duplicates=latest prescans every window and writes the copy of a point
// with the latest updatedAt; first writes the first window's copy.
func TestDuplicatesLatestAcrossWindows(t *testing.T) {
	for _, c := range []struct{ mode, score string }{{"first", "3"}, {"latest", "4"}} {
		e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
		// S1 (created 2021-12-01) and S2 (2021-12-10) both carry P1: S2's
		// copy is newer.
		e.MustAddSessions(readTestdata(t, "dup_window1.json"))
		opts := apiOptions(t, e, "start", "2021-12-01", "end", "2021-12-15", "window_days", "5", "duplicates", c.mode)
		r := mustRun(t, opts, "", nil, noon("2022-01-15"))
		if n := e.Counts().Requests; n != 4 {
			t.Fatalf("%s: %d requests", c.mode, n)
		}
		points := ids(exactlyOnce(t, r.out)[PointTableName], "id")
		if got := points["P1"]["score"]; got != c.score {
			t.Errorf("%s: P1 score %v, want %s", c.mode, got, c.score)
		}
		emptyDir(t, opts["spool_dir"])
	}
}

func TestAPIOptions(t *testing.T) {
	o, err := ParseAPIOptions(map[string]string{"api_token": "t"})
	if err != nil {
		t.Fatal(err)
	}
	if o.BaseURL != DefaultBaseURL || o.TimeAxis != "createdAt" || o.WindowDays != 30 || o.RepullDays != 7 || !o.EndInclusive ||
		o.Latest || len(o.Limits) != 2 || o.Limits[0].Per != time.Second || o.Limits[1].Requests != 30 || o.Limits[1].Per != time.Minute {
		t.Fatalf("defaults %+v", o)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", o, o, o), "\"t\"") {
		t.Fatal("options print the token")
	}
	_, err = ParseAPIOptions(map[string]string{
		"base_url": "ftp://x", "time_axis": "updatedAt", "start": "2021-13-01", "window_days": "91",
		"repull_days": "-1", "end_date": "maybe", "duplicates": "all", "rate_limit": "1/s", "retry_delay": "0s",
		"max_body_bytes": "0",
	})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{"base_url", "api_token is required", "time_axis", "start", "window_days: want a whole number from 1 to 90",
		"repull_days", "end_date", "duplicates", "rate_limit", "retry_delay", "max_body_bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
	if _, err := ParseAPIOptions(map[string]string{"api_token": "t", "start": "2022-01-02", "end": "2022-01-02"}); err == nil {
		t.Fatal("an empty range was accepted")
	}
	if err := APIKind().CheckOptions(map[string]string{"token": "x"}); err == nil {
		t.Fatal("an unknown option was accepted")
	}
	for _, d := range APIOptionDocs {
		if d.Name == "api_token" && !d.Secret {
			t.Fatal("api_token is not marked secret")
		}
	}
}

func TestOpenNeedsStartOrCursor(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true})
	r := runWithState(t, apiOptions(t, e), "", nil, noon("2022-03-15"))
	if r.err == nil || !strings.Contains(r.err.Error(), "give start") {
		t.Fatalf("err %v", r.err)
	}
	if e.Counts().Requests != 0 {
		t.Fatal("requests sent")
	}
}
