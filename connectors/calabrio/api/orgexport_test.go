package api

import (
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

func TestTeamsExportFixture(t *testing.T) {
	if got := strings.ReplaceAll(calabriotest.TeamsExportVerbatim, "\t", ","); got != calabriotest.TeamsExport {
		t.Errorf("the repaired teams export is not the reference's table with commas:\n%s", calabriotest.TeamsExport)
	}
}

// The reference's teams export example arrives in cal_team; groups and
// persons in theirs; inputs are named by the request.
func TestOrgExport(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	r := mustRun(t, OrgExportKind(), opts(e), nil, now)
	teams := uniqueBy(t, rows(t, r.out, org.TeamTable), "id")
	if len(teams) != 2 {
		t.Fatalf("%d teams, want 2", len(teams))
	}
	t3 := teams["3"]
	if t3["name"] != "Exported Team" || t3["parent_group_name"] != "Default Group" || t3["productivity_compilation"] != false ||
		t3["activated_date"] != int32(17030) || t3["deactivated_is_open_ended"] != true {
		t.Errorf("team 3: %v", t3)
	}
	if n := len(rows(t, r.out, org.GroupTable)); n != 2 {
		t.Errorf("%d groups, want 2", n)
	}
	ps := uniqueBy(t, rows(t, r.out, org.PersonTable), "person_id")
	if len(ps) != 2 || ps["12"]["email"] != "agent1@example.com" {
		t.Errorf("persons %v", ps)
	}
	if len(r.res.Inputs) != 3 || r.res.Inputs[1].Name != OrgExportKindName+":"+e.URL+FileExportPath+"teams" ||
		r.res.Inputs[1].Bytes != int64(len(calabriotest.TeamsExport)) {
		t.Errorf("inputs %+v", r.res.Inputs)
	}
	// 1 login + 3 exports + 1 logout
	if st := e.Stats(); st.Requests != 5 || st.Routes["GET fileexport"] != 3 {
		t.Errorf("requests %d, routes %v", st.Requests, st.Routes)
	}
}

// Localized headers are mapped with the per-type header_map; a bad row is
// rejected with the request as its source.
func TestOrgExportLocalized(t *testing.T) {
	fr := "ID de l'équipe,Nom,Date d'activation,Date de désactivation,ID du groupe parent,Compilation de productivité\n" +
		"3,Équipe,17/8/2016,31/12/2999,Default Group,FAUX\n" +
		"5,Équipe 2,17/8/2016,31/12/2999,Default Group,FALSE\n"
	e := calabriotest.New(t, calabriotest.Options{FileExports: map[string]string{"teams": fr}})
	hm := "ID de l'équipe=id;Nom=name;Date d'activation=activatedDate;Date de désactivation=deactivatedDate;" +
		"ID du groupe parent=parentGroupId;Compilation de productivité=productivityCompilation"
	r := mustRun(t, OrgExportKind(), opts(e, "types", "teams", "date_order", "dmy", "teams_header_map", hm), nil, now)
	teams := rows(t, r.out, org.TeamTable)
	if len(teams) != 1 || teams[0]["name"] != "Équipe 2" || teams[0]["activated_date"] != int32(17030) {
		t.Errorf("teams %v", teams)
	}
	rej := lakecheck.Rejects(t, r.out, org.TeamTable)
	if len(rej) != 1 || rej[0].Source != "GET "+FileExportPath+"teams" || rej[0].Line != 2 {
		t.Errorf("rejects %+v", rej)
	}
}

// A bad header_map fails before any request.
func TestOrgExportBadOptions(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	r := run(t, OrgExportKind(), opts(e, "teams_header_map", "Team ID=nosuchfield", "types", "teams,people"), nil, now)
	if r.err == nil || !strings.Contains(r.err.Error(), "people") {
		t.Fatalf("err %v", r.err)
	}
	r = run(t, OrgExportKind(), opts(e, "teams_header_map", "Team ID=nosuchfield"), nil, now)
	if r.err == nil || !strings.Contains(r.err.Error(), "nosuchfield") {
		t.Fatalf("err %v", r.err)
	}
	if n := e.Stats().Requests; n != 0 {
		t.Errorf("%d requests before the options were checked", n)
	}
}

// A download cut off part way is fetched again; every row arrives once.
func TestOrgExportDroppedBody(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	e.Inject(calabriotest.Fault{Method: "GET", Path: FileExportPath + "persons", Drop: true, Times: 2})
	r := mustRun(t, OrgExportKind(), opts(e), nil, now)
	if n := len(uniqueBy(t, rows(t, r.out, org.PersonTable), "person_id")); n != 2 {
		t.Errorf("%d persons, want 2", n)
	}
	if st := e.Stats(); st.Routes["GET fileexport"] != 5 || st.Faults != 2 {
		t.Errorf("routes %v, faults %d", st.Routes, st.Faults)
	}
}
