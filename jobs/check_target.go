package jobs

import (
	"maps"
	"slices"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// checkTarget checks a push job's target block: the target kind exists,
// its options are known and valid, every mapped entity and field exists.
// Columns are checked when the tables are known (Plan).
func checkTarget(ps *problems, t *TargetSpec, reg *pipeline.Registry) {
	tk, err := reg.Target(t.Kind)
	if err != nil {
		ps.add(t.Pos, "%v", err)
		return
	}
	if !unknownOptions(ps, "target "+tk.Name, tk.Options, t.Options, t.OptionPos, t.Pos) && tk.Validate != nil {
		if err := tk.Validate(t.Options); err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "target "+tk.Name) {
				msg = "target " + tk.Name + ": " + msg
			}
			ps.add(orPos(t.OptionsPos, t.Pos), "%s", msg)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Map)) {
		em := t.Map[name]
		e, err := tk.Entity(name)
		if err != nil {
			ps.add(em.Pos, "%v", err)
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(em.Fields)) {
			if !slices.ContainsFunc(e.Fields, func(x pipeline.Field) bool { return x.Name == f }) {
				ps.add(orPos(em.FieldPos[f], em.Pos), "target %s: entity %s has no field %s", tk.Name, name, f)
			}
		}
	}
}
