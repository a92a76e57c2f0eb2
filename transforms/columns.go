package transforms

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ccetl/ccetl/pipeline"
)

// colRef is a column named plainly or as table.column.
type colRef struct{ table, col string }

func parseRef(s string) colRef {
	if t, c, ok := strings.Cut(s, "."); ok {
		return colRef{t, c}
	}
	return colRef{"", s}
}

func (r colRef) matches(table, col string) bool {
	return r.col == col && (r.table == "" || r.table == table)
}

// Drop removes columns.
type Drop struct {
	refs []colRef
	out  map[string]*arrow.Schema
}

// NewDrop drops the named columns.
func NewDrop(cols []string) (*Drop, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("drop: name at least one column")
	}
	d := &Drop{out: map[string]*arrow.Schema{}}
	for _, c := range cols {
		d.refs = append(d.refs, parseRef(c))
	}
	return d, nil
}

func (d *Drop) Name() string { return "drop" }

func (d *Drop) dropped(table, col string) bool {
	for _, r := range d.refs {
		if r.matches(table, col) {
			return true
		}
	}
	return false
}

// Table removes the dropped columns from a table's schema.
func (d *Drop) Table(in pipeline.Table) (pipeline.Table, error) {
	var fields []arrow.Field
	for _, f := range in.Schema.Fields() {
		if !d.dropped(in.Name, f.Name) {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return in, fmt.Errorf("would drop every column")
	}
	out := in
	out.Schema = arrow.NewSchema(fields, nil)
	if d.dropped(in.Name, in.PartitionBy) {
		out.PartitionBy = ""
	}
	d.out[in.Name] = out.Schema
	return out, nil
}

// Apply drops columns without copying data.
func (d *Drop) Apply(_ context.Context, b pipeline.Batch) (pipeline.Batch, error) {
	if b.Rec == nil {
		return b, nil
	}
	schema, ok := d.out[b.Table]
	if !ok {
		return b, fmt.Errorf("table %s was not declared", b.Table)
	}
	var cols []arrow.Array
	for i, f := range b.Rec.Schema().Fields() {
		if !d.dropped(b.Table, f.Name) {
			cols = append(cols, b.Rec.Column(i))
		}
	}
	rec := array.NewRecordBatch(schema, cols, b.Rec.NumRows())
	b.Rec.Release()
	b.Rec = rec
	return b, nil
}

// Rename renames columns.
type Rename struct {
	names map[colRef]string
	out   map[string]*arrow.Schema
}

// NewRename renames columns old -> new.
func NewRename(m map[string]string) (*Rename, error) {
	if len(m) == 0 {
		return nil, fmt.Errorf("rename: give at least one old: new pair")
	}
	r := &Rename{names: map[colRef]string{}, out: map[string]*arrow.Schema{}}
	for k, v := range m {
		if v == "" {
			return nil, fmt.Errorf("rename: empty new name for %s", k)
		}
		r.names[parseRef(k)] = v
	}
	return r, nil
}

func (r *Rename) Name() string { return "rename" }

func (r *Rename) newName(table, col string) string {
	if n, ok := r.names[colRef{table, col}]; ok {
		return n
	}
	if n, ok := r.names[colRef{"", col}]; ok {
		return n
	}
	return col
}

// Table renames columns in a table's schema, refusing duplicates.
func (r *Rename) Table(in pipeline.Table) (pipeline.Table, error) {
	seen := map[string]bool{}
	fields := make([]arrow.Field, 0, in.Schema.NumFields())
	for _, f := range in.Schema.Fields() {
		f.Name = r.newName(in.Name, f.Name)
		if seen[f.Name] {
			return in, fmt.Errorf("two columns would be named %s", f.Name)
		}
		seen[f.Name] = true
		fields = append(fields, f)
	}
	out := in
	out.Schema = arrow.NewSchema(fields, nil)
	if in.PartitionBy != "" {
		out.PartitionBy = r.newName(in.Name, in.PartitionBy)
	}
	r.out[in.Name] = out.Schema
	return out, nil
}

// Apply renames without copying data.
func (r *Rename) Apply(_ context.Context, b pipeline.Batch) (pipeline.Batch, error) {
	if b.Rec == nil {
		return b, nil
	}
	schema, ok := r.out[b.Table]
	if !ok {
		return b, fmt.Errorf("table %s was not declared", b.Table)
	}
	rec := array.NewRecordBatch(schema, b.Rec.Columns(), b.Rec.NumRows())
	b.Rec.Release()
	b.Rec = rec
	return b, nil
}

// New builds a transform from its job-file name and arguments.
func New(name string, list []string, args map[string]string) (pipeline.Transform, error) {
	switch name {
	case "drop":
		return NewDrop(list)
	case "rename":
		return NewRename(args)
	}
	return nil, fmt.Errorf("unknown transform %q (known: drop, rename)", name)
}
