package org

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// golden compares v, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", p, got)
	}
}

// balanced asserts that every row read was written or rejected.
func balanced(t *testing.T, res pipeline.Result, table string, out, rejected int64) {
	t.Helper()
	s := res.Tables[table]
	if s.RowsOut != out || s.RowsRejected != rejected || s.RowsIn != s.RowsOut+s.RowsRejected+s.RowsMerged {
		t.Errorf("%s: rows in %d, out %d, rejected %d, merged %d; want out %d, rejected %d",
			table, s.RowsIn, s.RowsOut, s.RowsRejected, s.RowsMerged, out, rejected)
	}
}

func TestReferenceAndBuiltFixtures(t *testing.T) {
	for _, c := range []struct {
		kind    pipeline.Kind
		fixture string
		table   string
		rows    int64
	}{
		// The reference's groups example, with its PDF line wrap repaired.
		{GroupsKind(), "groups_reference_repaired.csv", GroupTable, 2},
		// The reference's teams example, verbatim.
		{TeamsKind(), "teams_reference.csv", TeamTable, 2},
		// The reference's export example, tabs turned into commas.
		{TeamsKind(), "teams_export_reference.csv", TeamTable, 2},
		{GroupsKind(), "groups_export.csv", GroupTable, 2},
		{PersonsKind(), "persons_upload.csv", PersonTable, 3},
		{PersonsKind(), "persons_export.csv", PersonTable, 2},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			res, out := lakecheck.MustRun(t, c.kind, nil, filepath.Join("testdata", c.fixture))
			balanced(t, res, c.table, c.rows, 0)
			rows := lakecheck.Table(t, out, c.table)
			if int64(len(rows)) != c.rows {
				t.Fatalf("read back %d rows, want %d", len(rows), c.rows)
			}
			golden(t, strings.TrimSuffix(c.fixture, ".csv")+".golden.json", rows)
		})
	}
}

// TestReferenceValues checks the meaning of the reference examples' values,
// independently of the golden files.
func TestReferenceValues(t *testing.T) {
	_, out := lakecheck.MustRun(t, TeamsKind(), nil, filepath.Join("testdata", "teams_reference.csv"))
	rows := lakecheck.Table(t, out, TeamTable)
	jan4, _ := daysOf(2018, 1, 4)
	jan1, _ := daysOf(2019, 1, 1)
	want := []map[string]any{
		{"id": int64(0), "name": "Car Sales", "activated_date": jan4, "deactivated_date": jan1, "parent_group_name": "Sales",
			"productivity_compilation": true, "deactivated_is_open_ended": false, "file_layout": "import"},
		{"id": int64(0), "name": "Parts Sales", "activated_date": jan4, "deactivated_date": jan1, "parent_group_name": "Sales",
			"productivity_compilation": false, "deactivated_is_open_ended": false, "file_layout": "import"},
	}
	sameRows(t, rows, want)

	_, out = lakecheck.MustRun(t, TeamsKind(), nil, filepath.Join("testdata", "teams_export_reference.csv"))
	rows = lakecheck.Table(t, out, TeamTable)
	aug17, _ := daysOf(2016, 8, 17)
	open, _ := daysOf(2999, 12, 31)
	want = []map[string]any{
		{"id": int64(3), "name": "Exported Team", "activated_date": aug17, "deactivated_date": open, "parent_group_name": "Default Group",
			"productivity_compilation": false, "deactivated_is_open_ended": true, "file_layout": "export"},
		{"id": int64(5), "name": "Exported Team 2", "activated_date": aug17, "deactivated_date": open, "parent_group_name": "Default Group",
			"productivity_compilation": false, "deactivated_is_open_ended": true, "file_layout": "export"},
	}
	sameRows(t, rows, want)
}

func TestPersonsSentinelMeaning(t *testing.T) {
	_, out := lakecheck.MustRun(t, PersonsKind(), nil, filepath.Join("testdata", "persons_upload.csv"))
	rows := lakecheck.Table(t, out, PersonTable)
	for i, want := range []struct{ openEnded, reactivate any }{{nil, false}, {true, true}, {false, false}} {
		if rows[i]["deactivated_is_open_ended"] != want.openEnded || rows[i]["reactivate_requested"] != want.reactivate {
			t.Errorf("upload row %d: open ended %v, reactivate %v; want %v, %v", i, rows[i]["deactivated_is_open_ended"],
				rows[i]["reactivate_requested"], want.openEnded, want.reactivate)
		}
	}
	if got := rows[1]["roles"]; !equalJSON(got, []any{"Supervisor", "Agent"}) {
		t.Errorf("roles %v, want [Supervisor Agent] (trimmed, empty item dropped)", got)
	}
	_, out = lakecheck.MustRun(t, PersonsKind(), nil, filepath.Join("testdata", "persons_export.csv"))
	rows = lakecheck.Table(t, out, PersonTable)
	for i, openEnded := range []bool{true, false} {
		if rows[i]["deactivated_is_open_ended"] != openEnded || rows[i]["reactivate_requested"] != nil || rows[i]["file_layout"] != "export" {
			t.Errorf("export row %d: open ended %v, reactivate %v, layout %v; want %v, nil, export", i,
				rows[i]["deactivated_is_open_ended"], rows[i]["reactivate_requested"], rows[i]["file_layout"], openEnded)
		}
	}
}

// TestVerbatimGroupsExampleFails: the groups example as the PDF text wraps
// it is one line, so its header is not the exact one.
func TestVerbatimGroupsExampleFails(t *testing.T) {
	_, _, err := lakecheck.Run(t, GroupsKind(), nil, "", filepath.Join("testdata", "groups_reference_verbatim.csv"))
	if err == nil {
		t.Fatal("the wrapped example loaded")
	}
	for _, want := range []string{
		`want exactly "id,name,activatedDate,deactivatedDate"`,
		`column 4 is "deactivatedDate 0", want "deactivatedDate"`,
		"6 extra columns after column 4",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

// TestTabSeparatedExportFails: the export example as the PDF text gives it
// (tabs) is one column to a CSV reader; it must fail, not load garbage.
func TestTabSeparatedExportFails(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "teams_export_reference_verbatim.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	p := lakecheck.WriteFile(t, t.TempDir(), "teams.csv", string(b))
	_, _, err = lakecheck.Run(t, TeamsKind(), nil, "", p)
	if err == nil || !strings.Contains(err.Error(), "not the teams upload header") || !strings.Contains(err.Error(), "got 1 columns") {
		t.Fatalf("err = %v, want the exact-header error for a one-column header", err)
	}
}

func TestHeaderMapLocale(t *testing.T) {
	p := lakecheck.WriteFile(t, t.TempDir(), "equipes.csv",
		"ID de l'équipe,Nom,Date d'activation,Date de désactivation,Groupe parent,Compilation de la productivité\r\n"+
			"3,Équipe exportée,17/8/2016,31/12/2999,Groupe par défaut,VRAI\r\n"+
			"5,Équipe 2,17/8/2016,1/2/2019,Groupe par défaut,false\r\n")
	opts := map[string]string{"date_order": "dmy", "header_map": "ID de l'équipe=id;Nom=name;Date d'activation=activatedDate;" +
		"Date de désactivation=deactivatedDate;Groupe parent=parentGroupId;Compilation de la productivité=productivityCompilation"}
	res, out := lakecheck.MustRun(t, TeamsKind(), opts, p)
	balanced(t, res, TeamTable, 1, 1)
	rows := lakecheck.Table(t, out, TeamTable)
	feb1, _ := daysOf(2019, 2, 1)
	if len(rows) != 1 || rows[0]["id"] != int64(5) || rows[0]["deactivated_date"] != feb1 || rows[0]["name"] != "Équipe 2" {
		t.Errorf("rows %v", rows)
	}
	rj := lakecheck.Rejects(t, out, TeamTable)
	if len(rj) != 1 || rj[0].Line != 2 || rj[0].Column != "Compilation de la productivité" || !strings.Contains(rj[0].Reason, "not True or False") {
		t.Errorf("rejects %+v", rj)
	}
}

func sameRows(t *testing.T, got, want []map[string]any) {
	t.Helper()
	if !equalJSON(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("rows\n%s\nwant\n%s", g, w)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func daysOf(y, m, d int) (int32, error) { return parse.Days(y, m, d) }
