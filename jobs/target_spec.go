package jobs

import "github.com/ccetl/ccetl/transforms"

// TargetSpec is a push job's target block: the vendor API its records are
// written into.
type TargetSpec struct {
	Kind    string
	Options map[string]string
	// Map maps tables onto the target's entities, by entity name.
	Map    map[string]EntityMap
	Limits FailureLimits

	Pos        Pos
	OptionsPos Pos
	OptionPos  map[string]Pos
}

// EntityMap makes one entity's records from a table's rows.
type EntityMap struct {
	// From names the table (default: the entity's own table).
	From   string
	Fields map[string]transforms.Expr
	Pos    Pos
	// FieldPos is where each field's mapping is (for messages).
	FieldPos map[string]Pos
}
