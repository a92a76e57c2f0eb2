package org

import (
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// openHeader chooses the layout of a file with this header (comma
// separated, no quotes) and returns the decoder's layout name.
func openHeader(t *testing.T, s *spec, opts map[string]string, header string) (string, error) {
	t.Helper()
	o, err := s.parseOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	var fields [][]byte
	for _, f := range strings.Split(header, ",") {
		fields = append(fields, []byte(f))
	}
	d, err := s.match(fields, s.columns(o), o)
	if err != nil {
		return "", err
	}
	return d.layout, nil
}

func TestHeaders(t *testing.T) {
	for _, c := range []struct {
		name   string
		s      *spec
		opts   map[string]string
		header string
		layout string   // when it opens
		errs   []string // when it fails: substrings of the error
		hidden []string // must not appear in the error
	}{
		{name: "groups exact", s: groups, header: "id,name,activatedDate,deactivatedDate", layout: layoutImport},
		{name: "groups case", s: groups, header: "ID,name,activatedDate,deactivatedDate",
			errs: []string{`not the groups upload header: want exactly "id,name,activatedDate,deactivatedDate" (4 columns`,
				`column 1 is "ID", want "id" (differs in case)`}},
		{name: "groups spaces", s: groups, header: "id, name,activatedDate,deactivatedDate",
			errs: []string{`column 2 is " name", want "name" (surrounding spaces)`}},
		{name: "groups reordered", s: groups, header: "name,id,activatedDate,deactivatedDate",
			errs: []string{`column 1 is "name", want "id"`, `column 2 is "id", want "name"`, "the columns are reordered"}},
		{name: "groups data in header", s: groups, header: "id,name,01/04/2018,deactivatedDate",
			errs: []string{"column 3 is (not shown: not a column name)"}, hidden: []string{"01/04/2018"}},
		{name: "teams omitted", s: teams, header: "id,name,activatedDate,deactivatedDate,parentGroupId",
			errs: []string{"got 5 columns", "missing productivityCompilation"}},
		{name: "teams extra", s: teams, header: "id,name,activatedDate,deactivatedDate,parentGroupId,productivityCompilation,x",
			errs: []string{"1 extra columns after column 6"}},
		{name: "teams export", s: teams, header: "Team ID,Name,Activated Date,Deactivated Date,Parent Group ID,Productivity Compilation",
			layout: layoutExport},
		{name: "teams export any case", s: teams, header: "team id,NAME,activated date,Deactivated Date,Parent Group ID,Productivity Compilation",
			layout: layoutExport},
		{name: "teams export omitted", s: teams, header: "Team ID,Name,Activated Date,Deactivated Date,Parent Group ID",
			errs: []string{"teams export header: missing required columns: productivityCompilation"}},
		{name: "groups export unknown", s: groups, header: "Group ID,Name,Activated Date,Deactivated Date,Owner",
			errs: []string{`groups header: unknown columns: column 5 "Owner" (map them with the header_map option`}},
		{name: "groups export dropped", s: groups, opts: map[string]string{"header_map": "Owner=-"},
			header: "Group ID,Name,Activated Date,Deactivated Date,Owner", layout: layoutExport},
		{name: "groups export is not teams", s: teams, header: "Group ID,Name,Activated Date,Deactivated Date",
			errs: []string{"teams export header: missing required columns: id, parentGroupId, productivityCompilation"}},
		{name: "persons any case and order", s: persons, header: "LASTNAME,firstname,Email,PersonId", layout: layoutImport},
		{name: "persons export", s: persons, header: "Person ID,Email,First Name,Last Name", layout: layoutExport},
		{name: "persons missing", s: persons, header: "personId,email,firstName,timeZone",
			errs: []string{"persons header: missing required columns: lastName"}},
		{name: "persons no header", s: persons, header: "0,jane@example.com,Jane,Doe",
			errs: []string{"missing required columns: personId, email, firstName, lastName"}, hidden: []string{"jane@example.com"}},
		{name: "persons unknown", s: persons, header: "personId,email,firstName,lastName,nickname,x@y.z",
			errs: []string{`unknown columns: column 5 "nickname", column 6 (not shown: not a column name)`}, hidden: []string{"x@y.z"}},
		{name: "persons twice", s: persons, header: "personId,email,firstName,lastName,Person ID",
			errs: []string{"columns given more than once: personId"}},
		{name: "header_map locale", s: groups, opts: map[string]string{"header_map": "ID du groupe=id; Nom = name"},
			header: "ID du groupe,Nom,activatedDate,deactivatedDate", layout: layoutExport},
	} {
		t.Run(c.name, func(t *testing.T) {
			layout, err := openHeader(t, c.s, c.opts, c.header)
			if c.errs == nil {
				if err != nil || layout != c.layout {
					t.Fatalf("layout %q, err %v; want %q", layout, err, c.layout)
				}
				return
			}
			if err == nil {
				t.Fatalf("opened as %s, want an error", layout)
			}
			for _, want := range c.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nlacks %q", err, want)
				}
			}
			for _, h := range c.hidden {
				if strings.Contains(err.Error(), h) {
					t.Errorf("error %q shows the cell %q", err, h)
				}
			}
		})
	}
}

// TestHeaderFailsTheFile: a bad header fails the run, naming the file.
func TestHeaderFailsTheFile(t *testing.T) {
	dir := t.TempDir()
	p := lakecheck.WriteFile(t, dir, "teams.csv", "id,name,parentGroupId\n0,A,B\n")
	_, _, err := lakecheck.Run(t, TeamsKind(), nil, "", p)
	if err == nil || !strings.Contains(err.Error(), "teams.csv: not the teams upload header") {
		t.Fatalf("err = %v", err)
	}
	p = lakecheck.WriteFile(t, dir, "empty.csv", "")
	if _, _, err = lakecheck.Run(t, GroupsKind(), nil, "", p); err == nil || !strings.Contains(err.Error(), "empty file") {
		t.Fatalf("empty file: err = %v", err)
	}
}

func TestPersonFieldPositions(t *testing.T) {
	for i, key := range map[int]string{pDeactivated: "deactivated", pEnableScheduling: "enableScheduling",
		pAcdID: "acdId", pAcdServerID: "acdServerId"} {
		if personFields[i].key != key {
			t.Errorf("personFields[%d] is %s, want %s", i, personFields[i].key, key)
		}
	}
	for _, s := range []*spec{groups, teams} {
		if s.fields[s.deact].key != "deactivatedDate" {
			t.Errorf("%s: deact is %s", s.what, s.fields[s.deact].key)
		}
	}
}
