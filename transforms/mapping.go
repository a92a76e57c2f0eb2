package transforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// Mapping makes one target entity's records from the rows of a table.
type Mapping struct {
	Entity pipeline.Entity
	// From is the table whose rows become records.
	From string
	// Fields maps target fields to expressions. Entity fields it does not
	// name take the column of the same name, compared without case and
	// underscores (activatedDate takes activated_date), when the table has
	// one.
	Fields map[string]Expr
}

// Resolve fills in the default expressions against a table's columns and
// checks every expression: unknown target fields, columns the table lacks.
// Every problem is reported at once.
func (m *Mapping) Resolve(cols []string) error {
	var errs []string
	known := map[string]bool{}
	for _, f := range m.Entity.Fields {
		known[f.Name] = true
	}
	for name, e := range m.Fields {
		if !known[name] {
			errs = append(errs, fmt.Sprintf("%s has no field %s", m.Entity.Name, name))
			continue
		}
		if err := e.Check(); err != nil {
			errs = append(errs, fmt.Sprintf("field %s: %v", name, err))
			continue
		}
		for _, c := range e.Columns() {
			if !slices.Contains(cols, c) {
				errs = append(errs, fmt.Sprintf("field %s: table %s has no column %s", name, m.From, c))
			}
		}
	}
	if m.Fields == nil {
		m.Fields = map[string]Expr{}
	}
	for _, f := range m.Entity.Fields {
		if _, set := m.Fields[f.Name]; set {
			continue
		}
		for _, c := range cols {
			if fold(c) == fold(f.Name) {
				m.Fields[f.Name] = Expr{Column: c, Cast: f.Type}
				break
			}
		}
	}
	for _, f := range m.Entity.Fields {
		if _, set := m.Fields[f.Name]; f.Required && !set {
			errs = append(errs, fmt.Sprintf("required field %s: map it (table %s has no column of that name)", f.Name, m.From))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return fmt.Errorf("mapping onto %s: %s", m.Entity.Name, strings.Join(errs, "; "))
	}
	return nil
}

func fold(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// Record makes the record of one row. A field whose expression yields null
// is left out, so a target never blanks what the row does not have.
func (m *Mapping) Record(row Row, origin string) (pipeline.Record, error) {
	return m.RecordInto(make(map[string]any, len(m.Fields)), row, origin)
}

// RecordInto is Record with its values written into vals, cleared first:
// for a caller that is done with one record before it makes the next.
func (m *Mapping) RecordInto(vals map[string]any, row Row, origin string) (pipeline.Record, error) {
	clear(vals)
	out := pipeline.Record{Entity: m.Entity.Name, Values: vals, Origin: origin}
	for _, f := range m.Entity.Fields {
		e, ok := m.Fields[f.Name]
		if !ok {
			continue
		}
		if e.Cast == "" {
			e.Cast = f.Type
		}
		if f.Type == pipeline.TypeList || f.Type == pipeline.TypeMap {
			e.Cast = ""
		}
		v, err := e.Eval(row)
		if err != nil {
			return out, fmt.Errorf("field %s: %w", f.Name, err)
		}
		if s, ok := v.(string); ok {
			switch f.Type {
			case pipeline.TypeList:
				v = splitList(s)
			case pipeline.TypeMap:
				if v, err = splitMap(s); err != nil {
					return out, fmt.Errorf("field %s: %w", f.Name, err)
				}
			}
		}
		if v != nil {
			out.Values[f.Name] = v
		}
	}
	return out, nil
}

// splitList reads "a;b;c" (the org CSVs' lists) as a list; empty items go.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitMap reads "k=v|k2=v2" (the text import's metadata) as a map.
func splitMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range strings.Split(s, "|") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("a map item without =")
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}
