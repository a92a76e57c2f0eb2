package orgimport

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name.
const KindName = "calabrio-org-import"

// Defaults of the options.
const (
	DefaultBatchRows  = 1000
	DefaultBatchBytes = 8 << 20
)

// entityTypes are the entities in the order they are written: teams name
// their group, persons their team.
var entityTypes = []string{"groups", "teams", "persons"}

var tableOf = map[string]string{"groups": org.GroupTable, "teams": org.TeamTable, "persons": org.PersonTable}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	ents := make([]pipeline.Entity, 0, len(entityTypes))
	for _, t := range entityTypes {
		ents = append(ents, entityOf(t))
	}
	return pipeline.TargetKind{
		Name: KindName,
		Doc: "Calabrio ONE Bulk Organization Import: groups, then teams, then persons, planned against the Export API " +
			"(insert and update only; never deletes)",
		Entities: ents,
		Options: calapi.ConnOptionDocs(
			pipeline.Option{Name: "batch_rows", Default: strconv.Itoa(DefaultBatchRows), Doc: "rows per upload at most"},
			pipeline.Option{Name: "batch_bytes", Default: strconv.Itoa(DefaultBatchBytes), Doc: "bytes of CSV per upload, about"},
			pipeline.Option{Name: "groups_header_map", Doc: "header_map of the groups export in another locale (see kind org-groups)"},
			pipeline.Option{Name: "teams_header_map", Doc: "header_map of the teams export (see kind org-teams)"},
			pipeline.Option{Name: "persons_header_map", Doc: "header_map of the persons export (see kind org-persons)"},
		),
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

type options struct {
	batchRows  int
	batchBytes int
	headerMaps map[string]string
}

func parseOptions(m map[string]string) (options, error) {
	if err := calapi.CheckConn(KindName, m); err != nil {
		return options{}, err
	}
	var p apiopt.Problems
	o := options{headerMaps: map[string]string{}}
	o.batchRows = apiopt.Int(m, "batch_rows", DefaultBatchRows, 1, 1_000_000, &p)
	o.batchBytes = apiopt.Int(m, "batch_bytes", DefaultBatchBytes, 1024, 1<<30, &p)
	for _, t := range entityTypes {
		if v := strings.TrimSpace(m[t+"_header_map"]); v != "" {
			o.headerMaps[t] = v
			if err := org.CheckExportOptions(t, map[string]string{"header_map": v}); err != nil {
				p.Add("%s_header_map: %v", t, err)
			}
		}
	}
	return o, p.Err(KindName)
}

// field is one entity field with its upload column.
type field struct {
	pipeline.Field
	org.ImportField
}

// fieldsOf returns an entity's fields: the upload columns, named by their
// table column so a pulled or decoded table maps onto them as it is.
func fieldsOf(typ string) []field {
	ifs, err := org.ImportFields(typ)
	if err != nil {
		panic(err) // the three types are the org package's own
	}
	out := make([]field, 0, len(ifs))
	for _, f := range ifs {
		pf := pipeline.Field{Name: f.Column, MaxLen: f.Max, Doc: "upload column " + f.Key}
		switch f.Type {
		case "id":
			pf.Type = pipeline.TypeInt
			pf.Doc += " (the tenant's id; groups and teams are matched by name, so it is only used for persons)"
		case "date":
			pf.Type = pipeline.TypeDate
		case "bool":
			pf.Type = pipeline.TypeBool
		case "list":
			pf.Type = pipeline.TypeList
		default:
			pf.Type = pipeline.TypeString
			pf.Required = f.Required
		}
		if f.Key == "deactivatedDate" {
			pf.Doc += " (12/31/2999, not deactivated, when a new row has none)"
		}
		out = append(out, field{Field: pf, ImportField: f})
	}
	return out
}

func entityOf(typ string) pipeline.Entity {
	e := pipeline.Entity{Name: typ, Table: tableOf[typ], Key: []string{"name"}}
	for _, f := range fieldsOf(typ) {
		e.Fields = append(e.Fields, f.Field)
	}
	switch typ {
	case "groups":
		e.Doc = "groups, matched by name"
	case "teams":
		e.Doc = "teams, matched by name; parent_group_name names the parent group (the upload's parentGroupId)"
	case "persons":
		e.Doc = "persons, matched by person id, else by email, AD login or ACD id"
		e.Key = []string{"person_id", "email", "ad_login", "acd_id"}
	}
	return e
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	conn, err := calapi.Connect(KindName, cfg.Options, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KindName, err)
	}
	t := &target{conn: conn, o: o, fields: map[string][]field{}, ents: map[string]pipeline.Entity{}}
	for _, typ := range entityTypes {
		t.fields[typ] = fieldsOf(typ)
		t.ents[typ] = entityOf(typ)
	}
	return t, nil
}
