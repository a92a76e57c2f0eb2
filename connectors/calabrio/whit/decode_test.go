package whit

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares v, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Errorf("%s differs from the output:\n%s", p, got)
	}
}

func TestDocumentedColumns(t *testing.T) {
	res, out := lakecheck.MustRun(t, Kind(), map[string]string{"time_zone": "America/Chicago"}, "testdata/documented.csv")
	rows := lakecheck.Table(t, out, TableName)
	if len(rows) != 3 {
		t.Fatalf("rows = %d, want 3", len(rows))
	}
	golden(t, "documented.golden.json", rows)
	s := res.Tables[TableName]
	if s.RowsIn != 3 || s.RowsOut != 3 || s.RowsRejected != 0 {
		t.Errorf("stats %+v", s)
	}
	// 2016-08-17 09:00 in Chicago (CDT, UTC-5) is 14:00 UTC.
	if got := rows[0]["interval_start"]; got != int64(1471442400000) {
		t.Errorf("interval_start = %v, want 1471442400000", got)
	}
	// abandonedCalls left empty defaults to 0, as the reference says.
	if got := rows[2]["abandoned_calls"]; got != int64(0) {
		t.Errorf("abandoned_calls = %v, want 0", got)
	}
	if got := rows[1]["period"]; got != "09:30" {
		t.Errorf("period = %v, want zero-padded 09:30", got)
	}
	if got := rows[2]["asa_s"]; got != nil {
		t.Errorf("asa_s = %v, want null", got)
	}
}

func TestBadRowsAreRejectedWithPositions(t *testing.T) {
	res, out := lakecheck.MustRun(t, Kind(), nil, "testdata/bad.csv")
	s := res.Tables[TableName]
	if s.RowsIn != 8 || s.RowsOut != 1 || s.RowsRejected != 7 {
		t.Fatalf("stats %+v, want 8 in, 1 out, 7 rejected", s)
	}
	rejects := lakecheck.Rejects(t, out, TableName)
	want := []struct {
		line   int64
		column string
		reason string
	}{
		{3, "date", "not a valid date"},
		{4, "period", "not a valid time of day"},
		{5, "receivedCalls", "must not be negative"},
		{6, "serviceLevel", "0 to 100"},
		{7, "", "row has 9 columns, the header has 10"},
		{8, "serviceNumber", "required value is empty"},
		{9, "", "quote"},
	}
	if len(rejects) != len(want) {
		t.Fatalf("%d rejects, want %d: %+v", len(rejects), len(want), rejects)
	}
	for i, w := range want {
		r := rejects[i]
		if r.Line != w.line || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("reject %d = line %d column %q reason %q; want line %d column %q reason containing %q", i, r.Line, r.Column, r.Reason, w.line, w.column, w.reason)
		}
		if !strings.HasSuffix(r.Source, "bad.csv") || r.Raw == "" {
			t.Errorf("reject %d: source %q raw %q", i, r.Source, r.Raw)
		}
		if strings.Contains(r.Reason, "BadDate") || strings.Contains(r.Reason, "2024-02-30") {
			t.Errorf("reject %d reason carries a cell value: %q", i, r.Reason)
		}
	}
	if rows := lakecheck.Table(t, out, TableName); len(rows) != 1 || rows[0]["service_name"] != "Good" {
		t.Errorf("written rows %v", rows)
	}
}

func TestMissingRequiredColumnsFailTheFile(t *testing.T) {
	dir := t.TempDir()
	in := lakecheck.WriteFile(t, dir, "x.csv", "serviceNumber,date,period\n1,2024-01-01,00:00\n")
	_, out, err := lakecheck.Run(t, Kind(), nil, "", in)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, col := range []string{"avgACWTime", "avgTalkTime", "handledCalls", "receivedCalls", "serviceName"} {
		if !strings.Contains(err.Error(), col) {
			t.Errorf("error %q does not name %s", err, col)
		}
	}
	if files := lakecheck.Files(t, out, TableName); len(files) != 0 {
		t.Errorf("a failed run left files: %v", files)
	}
}

func TestDateOrder(t *testing.T) {
	dir := t.TempDir()
	in := lakecheck.WriteFile(t, dir, "x.csv", "serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n"+
		"1,a,03/04/2024,00:00,1,1,1,1\n1,a,13/04/2024,00:00,1,1,1,1\n")
	for _, tc := range []struct {
		order    string
		rows     int
		rejected int64
		day      int32
	}{{"mdy", 1, 1, 19786}, {"dmy", 2, 0, 19816}} { // 2024-03-04 and 2024-04-03
		res, out, err := lakecheck.Run(t, Kind(), map[string]string{"date_order": tc.order}, "", in)
		if err != nil {
			t.Fatal(err)
		}
		rows := lakecheck.Table(t, out, TableName)
		if len(rows) != tc.rows || res.Tables[TableName].RowsRejected != tc.rejected {
			t.Fatalf("%s: %d rows, %d rejected", tc.order, len(rows), res.Tables[TableName].RowsRejected)
		}
		found := false
		for _, r := range rows {
			found = found || r["date"] == tc.day
		}
		if !found {
			t.Errorf("%s: no row on day %d: %v", tc.order, tc.day, rows)
		}
	}
}

func TestBOMAndInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	in := lakecheck.WriteFile(t, dir, "x.csv", "\xef\xbb\xbfserviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n"+
		"1,ok,2024-01-01,00:00,1,1,1,1\n2,bad\xff,2024-01-01,00:00,1,1,1,1\n")
	res, out := lakecheck.MustRun(t, Kind(), nil, in)
	if s := res.Tables[TableName]; s.RowsOut != 1 || s.RowsRejected != 1 {
		t.Fatalf("stats %+v", s)
	}
	r := lakecheck.Rejects(t, out, TableName)
	if len(r) != 1 || r[0].Line != 3 || !strings.Contains(r[0].Reason, "UTF-8") || !strings.Contains(r[0].Reason, "byte 6") {
		t.Errorf("rejects %+v", r)
	}
}

func TestOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"date_order": "ymd", "time_zone": "Mars/Olympus"})
	if err == nil || !strings.Contains(err.Error(), "date_order") || !strings.Contains(err.Error(), "time_zone") {
		t.Errorf("want both problems reported, got %v", err)
	}
}

func TestRawBytesKeptForInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	in := lakecheck.WriteFile(t, dir, "x.csv", "serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n2,bad\xff,2024-01-01,00:00,1,1,1,1\n")
	_, out := lakecheck.MustRun(t, Kind(), nil, in)
	r := lakecheck.Rejects(t, out, TableName)
	if len(r) != 1 || r[0].RawBase64 != "MixiYWT/LDIwMjQtMDEtMDEsMDA6MDAsMSwxLDEsMQ==" {
		t.Errorf("rejects %+v: want the exact bytes in raw_base64", r)
	}
}
