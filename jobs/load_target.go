package jobs

import (
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// target reads a push job's target block:
//
//	target:
//	  kind: calabrio-org-import
//	  options: {base_url: ..., username: ..., password_file: ...}
//	  max_failures: 10
//	  max_failure_ratio: 0.05
//	  window: 10000                                # or all
//	  map:
//	    persons:
//	      from: hr_people
//	      fields:
//	        email: work_email                          # a column
//	        timeZone: {const: America/Chicago}
//	        memberGroup: {template: "{dept} {team}"}
//	        activated: {column: hire_date, layout: MM/DD/YYYY}
//	        rank: {column: grade, cast: int}
func (l *loader) target(n *yaml.Node) *TargetSpec {
	t := &TargetSpec{Pos: l.pos(n), Options: map[string]string{}, Map: map[string]EntityMap{}}
	l.fields(n, "target", map[string]func(*yaml.Node){
		"kind": func(v *yaml.Node) { t.Kind = l.str(v, "target.kind") },
		"options": func(v *yaml.Node) {
			t.OptionsPos = l.pos(v)
			t.Options, t.OptionPos = l.optionsPos(v, "target.options")
		},
		"max_failures": func(v *yaml.Node) { t.Limits.MaxFailures = int(l.int(v, "target.max_failures")) },
		"max_failure_ratio": func(v *yaml.Node) {
			f, err := strconv.ParseFloat(l.str(v, "target.max_failure_ratio"), 64)
			if err != nil || f < 0 || f > 1 {
				l.ps.add(l.pos(v), "target.max_failure_ratio must be a number from 0 to 1")
			}
			t.Limits.MaxFailureRatio = f
		},
		"window": func(v *yaml.Node) {
			s := l.str(v, "target.window")
			if s == "all" || v.Kind != yaml.ScalarNode {
				t.Window = WholePlan
				return
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 10_000_000 {
				l.ps.add(l.pos(v), "target.window must be a number of changes from 1 to 10000000, or all")
			}
			t.Window = n
		},
		"map": func(v *yaml.Node) { l.targetMap(v, t) },
	})
	if n.Kind == yaml.MappingNode && t.Kind == "" {
		l.ps.add(l.pos(n), "target: kind is required")
	}
	return t
}

func (l *loader) targetMap(n *yaml.Node, t *TargetSpec) {
	if n.Kind != yaml.MappingNode {
		l.ps.add(l.pos(n), "target.map must be a mapping of entity names")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		what := "target.map." + k.Value
		if _, dup := t.Map[k.Value]; dup {
			l.ps.add(l.pos(k), "%s given twice", what)
			continue
		}
		em := EntityMap{Pos: l.pos(k), Fields: map[string]transforms.Expr{}, FieldPos: map[string]Pos{}}
		l.fields(v, what, map[string]func(*yaml.Node){
			"from": func(f *yaml.Node) { em.From = l.str(f, what+".from") },
			"fields": func(f *yaml.Node) {
				if f.Kind != yaml.MappingNode {
					l.ps.add(l.pos(f), "%s.fields must be a mapping of target fields", what)
					return
				}
				for j := 0; j+1 < len(f.Content); j += 2 {
					fk, fv := f.Content[j], f.Content[j+1]
					em.Fields[fk.Value] = l.expr(fv, what+".fields."+fk.Value)
					em.FieldPos[fk.Value] = l.pos(fk)
				}
			},
		})
		t.Map[k.Value] = em
	}
}

// expr reads one field mapping: a column name, or a mapping with column,
// const or template, and cast and layout.
func (l *loader) expr(n *yaml.Node, what string) transforms.Expr {
	var e transforms.Expr
	if n.Kind == yaml.ScalarNode {
		e.Column = l.str(n, what)
		return e
	}
	l.fields(n, what, map[string]func(*yaml.Node){
		"column":   func(v *yaml.Node) { e.Column = l.str(v, what+".column") },
		"const":    func(v *yaml.Node) { s := l.str(v, what+".const"); e.Const = &s },
		"template": func(v *yaml.Node) { e.Template = l.str(v, what+".template") },
		"cast":     func(v *yaml.Node) { e.Cast = pipeline.FieldType(l.str(v, what+".cast")) },
		"layout":   func(v *yaml.Node) { e.Layout = l.str(v, what+".layout") },
	})
	if n.Kind == yaml.MappingNode {
		if err := e.Check(); err != nil {
			l.ps.add(l.pos(n), "%s: %v", what, err)
		}
	}
	return e
}
