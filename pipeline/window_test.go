package pipeline

import (
	"context"
	"testing"
)

// groupTarget cuts windows where the group (the change's key) changes.
type groupTarget struct{ plainTarget }

func (groupTarget) PlanRecords(Ledger) RecordPlan { return nil }
func (groupTarget) CutWindow(cs []Change) int {
	for i := len(cs) - 1; i > 0; i-- {
		if cs[i].Key != cs[i-1].Key {
			return i
		}
	}
	return 0
}

type plainTarget struct{}

func (plainTarget) Plan(context.Context, []Record, Ledger) (*Plan, error) { return nil, nil }
func (plainTarget) Apply(context.Context, *Plan, Journal) error           { return nil }
func (plainTarget) Close() error                                          { return nil }

// groups makes changes of the groups given as runs: groups("a", 3, "b", 2)
// is a a a b b.
func groups(runs ...any) []Change {
	var out []Change
	for i := 0; i < len(runs); i += 2 {
		for range runs[i+1].(int) {
			out = append(out, Change{Key: runs[i].(string)})
		}
	}
	return out
}

func TestWindowEnd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		t       Target
		pending []Change
		want    int
	}{
		{"fewer than a window", groupTarget{}, groups("a", 3, "b", 3), 0},
		{"a target that does not cut: a window's worth", plainTarget{}, groups("a", 25), 10},
		{"the last cut within the window", groupTarget{}, groups("a", 4, "b", 4, "c", 5), 8},
		{"a batch longer than a window goes whole", groupTarget{}, groups("a", 15, "b", 10), 15},
		{"one batch so far: wait", groupTarget{}, groups("a", 35), 0},
		{"a batch of four windows is cut there", groupTarget{}, groups("a", 45), 40},
		{"a batch longer than four windows, then the next", groupTarget{}, groups("a", 45, "b", 1), 40},
	} {
		if got := WindowEnd(tc.t, tc.pending, 10); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
