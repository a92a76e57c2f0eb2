package org

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/pipeline"
)

func TestOptionsReportEveryProblem(t *testing.T) {
	_, err := persons.parseOptions(map[string]string{
		"date_order": "ymd",
		"header_map": "no pair;=id;Prénom=nickname;email=firstName;Nom=lastName;nom=firstName;personId=-",
	})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{
		"date_order must be mdy or dmy",
		"header_map entry 1: want label=field",
		"header_map entry 2: empty label",
		`header_map entry 3: unknown field "nickname"`,
		`header_map entry 4: label "email" is the upload column email, it cannot name firstName`,
		`header_map entry 6: label "nom" is mapped twice`,
		`header_map entry 7: "personId" is an upload column and cannot be dropped`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

func TestOptionsHeaderMap(t *testing.T) {
	o, err := teams.parseOptions(map[string]string{"date_order": "DMY",
		"header_map": " Nom = NAME ; Team ID=-;Équipe=id;;Activated Date=deactivatedDate"})
	if err != nil {
		t.Fatal(err)
	}
	if o.DateOrder != parse.DMY {
		t.Errorf("date order %v", o.DateOrder)
	}
	for label, want := range map[string]int{"nom": 1, "équipe": 0, "activated date": 3, "parent group id": 4} {
		if got, ok := o.labels[label]; !ok || got != want {
			t.Errorf("label %q -> %d (%v), want %d", label, got, ok, want)
		}
	}
	if _, ok := o.labels["team id"]; ok || !o.ignore["team id"] {
		t.Errorf("Team ID is not dropped: %v %v", o.labels, o.ignore)
	}
}

// TestKindOpenChecksOptions: Open refuses bad options before touching the
// inputs.
func TestKindOpenChecksOptions(t *testing.T) {
	for _, k := range []pipeline.Kind{GroupsKind(), TeamsKind(), PersonsKind()} {
		_, err := k.Open(t.Context(), pipeline.SourceConfig{Kind: k.Name, Inputs: []string{"testdata"},
			Options: map[string]string{"header_map": "x=y"}})
		if err == nil || !strings.Contains(err.Error(), "kind "+k.Name+": header_map entry 1: unknown field") {
			t.Errorf("%s: err = %v", k.Name, err)
		}
		if err := k.CheckOptions(map[string]string{"header_map": "", "date_order": ""}); err != nil {
			t.Errorf("%s: %v", k.Name, err)
		}
	}
}

// TestTables pins the schemas: column names, types and nullability.
func TestTables(t *testing.T) {
	var out []string
	for _, k := range []pipeline.Kind{GroupsKind(), TeamsKind(), PersonsKind()} {
		for _, tb := range k.Tables {
			if tb.PartitionBy != "" || tb.Doc == "" {
				t.Errorf("%s: partition %q, doc %q", tb.Name, tb.PartitionBy, tb.Doc)
			}
			cols := []string{}
			for _, f := range tb.Schema.Fields() {
				cols = append(cols, fmt.Sprintf("%s: %s, nullable %t", f.Name, f.Type, f.Nullable))
			}
			out = append(out, fmt.Sprintf("%s (kind %s): %s", tb.Name, k.Name, strings.Join(cols, "; ")))
		}
	}
	golden(t, "tables.golden.json", out)
}
