package org

import (
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// wantReject is a reject expected on a line, in a column, for a reason.
type wantReject struct {
	line   int64
	column string
	reason string
}

// checkRejects runs kind over content and asserts the written rows, each
// reject and that the table reconciles. It returns the rows read back.
func checkRejects(t *testing.T, kind pipeline.Kind, table, content string, out int64, want []wantReject) []map[string]any {
	t.Helper()
	p := lakecheck.WriteFile(t, t.TempDir(), "in.csv", content)
	res, dir := lakecheck.MustRun(t, kind, nil, p)
	balanced(t, res, table, out, int64(len(want)))
	got := lakecheck.Rejects(t, dir, table)
	if len(got) != len(want) {
		t.Fatalf("%d rejects, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Column != w.column || !strings.Contains(g.Reason, w.reason) {
			t.Errorf("reject %d: line %d, column %q, reason %q; want line %d, column %q, reason containing %q",
				i, g.Line, g.Column, g.Reason, w.line, w.column, w.reason)
		}
		if strings.Contains(g.Reason, "@example.com") || strings.Contains(g.Reason, "SECRET") {
			t.Errorf("reject %d: the reason carries a cell value: %q", i, g.Reason)
		}
		if g.Raw == "" {
			t.Errorf("reject %d: no raw record", i)
		}
	}
	rows := lakecheck.Table(t, dir, table)
	if int64(len(rows)) != out {
		t.Fatalf("read back %d rows, want %d", len(rows), out)
	}
	return rows
}

func TestGroupsRejects(t *testing.T) {
	long := strings.Repeat("S", 61)
	wide := strings.Repeat("é", 60) // 60 characters, 120 bytes: allowed
	content := "\ufeffid,name,activatedDate,deactivatedDate\r\n" +
		"0,Sales,01/04/2018,01/01/2019\r\n" + // 2 ok
		"x,SECRET,01/04/2018,01/01/2019\r\n" + // 3
		"0," + long + ",01/04/2018,01/01/2019\r\n" + // 4
		"0," + wide + ",01/04/2018,01/01/2019\r\n" + // 5 ok
		"0,,01/04/2018,01/01/2019\r\n" + // 6
		"0,SECRET,2018-01-04,01/01/2019\r\n" + // 7
		"0,SECRET,13/04/2018,01/01/2019\r\n" + // 8
		"0,SECRET,01/04/2018,\r\n" + // 9
		"0,SECRET,01/04/2018\r\n" + // 10
		"-1,SECRET,01/04/2018,01/01/2019\r\n" + // 11
		"0,\"Quoted, comma\r\nand newline\",,12/31/2999\r\n" + // 12-13 ok
		"0,Bad \"SECRET,01/04/2018,01/01/2019\r\n" + // 14
		"0,SECRET\xff,01/04/2018,01/01/2019\r\n" + // 15
		"0,Last,1/4/2018,1/1/2019" // 16 ok, no final line break
	rows := checkRejects(t, GroupsKind(), GroupTable, content, 4, []wantReject{
		{3, "id", "not a whole number"},
		{4, "name", "longer than 60 characters"},
		{6, "name", "required value is empty"},
		{7, "activatedDate", "MM/DD/YYYY"},
		{8, "activatedDate", "MM/DD/YYYY"},
		{9, "deactivatedDate", "required value is empty"},
		{10, "", "row has 3 columns, the header has 4"},
		{11, "id", "must not be negative"},
		{14, "", `bare "`},
		{15, "", "invalid UTF-8"},
	})
	if rows[1]["name"] != wide || rows[2]["name"] != "Quoted, comma\r\nand newline" || rows[2]["activated_date"] != nil ||
		rows[2]["deactivated_is_open_ended"] != true || rows[0]["deactivated_is_open_ended"] != false {
		t.Errorf("rows %v", rows)
	}
}

func TestTeamsRejects(t *testing.T) {
	content := "id,name,activatedDate,deactivatedDate,parentGroupId,productivityCompilation\n" +
		"7,T0,01/04/2018,01/01/2019,Sales,True\n" + // 2 ok
		"0,T1,01/04/2018,01/01/2019,,True\n" + // 3
		"0,T2,01/04/2018,01/01/2019,Sales,yes\n" + // 4
		"0,T3,01/04/2018,01/01/2019,Sales,1\n" + // 5
		"0,T4,01/04/2018,01/01/2019," + strings.Repeat("G", 61) + ",TRUE\n" + // 6
		"0,T5,,01/01/2019,Sales,\n" + // 7 ok
		"0,T6,02/30/2019,01/01/2019,Sales,true\n" + // 8
		"12.0,T7,01/04/2018,12/31/2999,Sales,tRuE\n" // 9 ok: a spreadsheet's 12.0 is 12
	rows := checkRejects(t, TeamsKind(), TeamTable, content, 3, []wantReject{
		{3, "parentGroupId", "required value is empty"},
		{4, "productivityCompilation", "not True or False"},
		{5, "productivityCompilation", "not True or False"},
		{6, "parentGroupId", "longer than 60 characters"},
		{8, "activatedDate", "MM/DD/YYYY"},
	})
	if rows[1]["activated_date"] != nil || rows[1]["productivity_compilation"] != nil || rows[2]["id"] != int64(12) ||
		rows[2]["productivity_compilation"] != true || rows[0]["id"] != int64(7) {
		t.Errorf("rows %v", rows)
	}
}

func TestPersonsRejects(t *testing.T) {
	// The persons header may use any case and order and omit optional
	// columns; rejects name the columns as the file spells them.
	content := "EMAIL,personid,FirstName,lastname,adLogin,enableScheduling,acdId,acdServerId,roles,deactivated\n" +
		"a@example.com,0,Ann,Agent,,False,,,Agent,\n" + // 2 ok
		strings.Repeat("e", 243) + "@example.com,0,Bo,B,,,,,,\n" + // 3: 255 characters
		"c@example.com,0," + strings.Repeat("F", 51) + ",C,,,,,,\n" + // 4
		"d@example.com,0,Di,D," + strings.Repeat("L", 51) + ",,,,,\n" + // 5
		"e@example.com,0,Ed,E,,True,,1,,\n" + // 6
		"f@example.com,0,Fa,F,,TRUE,1001,,,\n" + // 7
		"g@example.com,,Gi,G,,,,,,\n" + // 8
		"h@example.com,5,Hu,H,,true,1002,1,Agent;Supervisor,12/31/2999\n" + // 9 ok
		"i@example.com,6,Io," + strings.Repeat("ü", 50) + ",,,,,,\n" + // 10 ok
		"j@example.com,7,Jo,J,,,,,,12/31/99\n" // 11
	rows := checkRejects(t, PersonsKind(), PersonTable, content, 3, []wantReject{
		{3, "EMAIL", "longer than 254 characters"},
		{4, "FirstName", "longer than 50 characters"},
		{5, "adLogin", "longer than 50 characters"},
		{6, "acdId", "required when enableScheduling is True"},
		{7, "acdServerId", "required when enableScheduling is True"},
		{8, "personid", "required value is empty"},
		{11, "deactivated", "MM/DD/YYYY"},
	})
	if rows[1]["reactivate_requested"] != true || rows[1]["acd_id"] != "1002" || rows[0]["reactivate_requested"] != false ||
		rows[2]["deactivated_is_open_ended"] != nil {
		t.Errorf("rows %v", rows)
	}
}

// TestExportRejects: export files are read leniently (M/D/YYYY, TRUE), but
// bad values are still rejected, naming the localized column.
func TestExportRejects(t *testing.T) {
	content := "Team ID,Name,Activated Date,Deactivated Date,Parent Group ID,Productivity Compilation\n" +
		"3,Exported Team,8/17/2016,12/31/2999,Default Group,FALSE\n" + // 2 ok
		"4,Other,17/8/2016,12/31/2999,Default Group,FALSE\n" + // 3: not M/D
		"5,Third,2016-08-17,12/31/2999,Default Group,NO\n" + // 4: ISO date ok, bool bad
		"six,Fourth,8/17/2016,12/31/2999,Default Group,TRUE\n" // 5
	checkRejects(t, TeamsKind(), TeamTable, content, 1, []wantReject{
		{3, "Activated Date", "not a valid date"},
		{4, "Productivity Compilation", "not True or False"},
		{5, "Team ID", "not a whole number"},
	})
}
