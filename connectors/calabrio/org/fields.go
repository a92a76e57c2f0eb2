package org

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// fieldType says how a cell is read and which Arrow type holds it.
type fieldType uint8

const (
	tID   fieldType = iota // Calabrio ID: a whole number >= 0, 0 = a new row (int64)
	tText                  // text, with an optional maximum length (utf8)
	tDate                  // a date (date32)
	tBool                  // True/False in any case (bool)
	tList                  // semicolon-separated values (list<utf8>)
)

func (t fieldType) arrowType() arrow.DataType {
	switch t {
	case tID:
		return arrow.PrimitiveTypes.Int64
	case tDate:
		return arrow.FixedWidthTypes.Date32
	case tBool:
		return arrow.FixedWidthTypes.Boolean
	case tList:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
	return arrow.BinaryTypes.String
}

// field is one documented column of an org CSV.
type field struct {
	key    string    // the import header as documented, e.g. "activatedDate"
	column string    // the table column
	typ    fieldType // how the cell is read
	labels []string  // English export headers that differ from key, e.g. "Activated Date"
	max    int       // maximum characters of a text value, 0 for none
	need   bool      // every row needs a value
	header bool      // the header must have the column, in any layout
}

// spec describes one org file kind: its fields and its table.
type spec struct {
	kind string // kind name
	what string // "groups", "teams" or "persons"
	// example is a header_map value for the option's documentation.
	example string
	fields  []field
	// exact: an import file's header must be the keys, in order, exactly
	// (groups and teams).
	exact bool
	// deact is the index of the deactivation date field.
	deact int
	// sched is the index of a bool field that, when True, makes the
	// fields schedNeeds required (-1 for none).
	sched      int
	schedNeeds []int

	table pipeline.Table
	// schema positions of the columns that are not fields
	cOpenEnded, cReactivate, cLayout int
}

// Values of the file_layout column.
const (
	layoutImport = "import"
	layoutExport = "export"
)

// build makes the table: one column per field, in the documented order,
// then deactivated_is_open_ended, reactivate_requested (when reactivate)
// and file_layout.
func (s *spec) build(table, doc string, reactivate bool) *spec {
	fs := make([]arrow.Field, 0, len(s.fields)+3)
	for _, f := range s.fields {
		fs = append(fs, arrow.Field{Name: f.column, Type: f.typ.arrowType(), Nullable: !f.need})
	}
	s.cOpenEnded = len(fs)
	fs = append(fs, arrow.Field{Name: "deactivated_is_open_ended", Type: arrow.FixedWidthTypes.Boolean, Nullable: !s.fields[s.deact].need})
	s.cReactivate = -1
	if reactivate {
		s.cReactivate = len(fs)
		fs = append(fs, arrow.Field{Name: "reactivate_requested", Type: arrow.FixedWidthTypes.Boolean, Nullable: true})
	}
	s.cLayout = len(fs)
	fs = append(fs, arrow.Field{Name: "file_layout", Type: arrow.BinaryTypes.String})
	s.table = pipeline.Table{Name: table, Doc: doc, Schema: arrow.NewSchema(fs, nil)}
	return s
}

// keys returns the import header: the keys in documented order.
func (s *spec) keys() []string {
	k := make([]string, len(s.fields))
	for i, f := range s.fields {
		k[i] = f.key
	}
	return k
}

// fieldByKey finds a field by its key, case-insensitively.
func (s *spec) fieldByKey(key string) (int, bool) {
	for i, f := range s.fields {
		if strings.EqualFold(f.key, key) {
			return i, true
		}
	}
	return -1, false
}
