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
	// Window is the number of changes a streamed push plans before it
	// applies them, for targets that plan each record on its own: 0 means
	// DefaultWindow, WholePlan plans every record before anything is sent.
	Window int

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

// WholePlan as TargetSpec.Window (window: all) plans a push whole before
// anything is sent.
const WholePlan = -1

// window returns the push's window size, or 0 when it plans whole.
func (t *TargetSpec) window() int {
	switch {
	case t.Window == 0:
		return DefaultWindow
	case t.Window < 0:
		return 0
	}
	return t.Window
}
