package cresta

import (
	"reflect"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// The table of a pull is the same whatever the concurrency: plans in the
// order of the plans option, a missing plan counted in its place.
func TestConcurrencyKeepsOrder(t *testing.T) {
	e, names := seeded(t, crestatest.Config{Latency: time.Millisecond}, 40)
	e.RemovePlan(names[7])
	pull := func(conc string) ([]map[string]any, map[string]any) {
		o := run(t, options(e, names, "concurrency", conc), now0, "")
		if o.err != nil {
			t.Fatal(o.err)
		}
		return lakecheck.Table(t, o.out, TableName), report(t, o)
	}
	one, r1 := pull("1")
	many, r16 := pull("16")
	if !reflect.DeepEqual(one, many) {
		t.Fatal("rows differ between concurrency 1 and 16")
	}
	if len(one) != 39 || !reflect.DeepEqual(r1["plans_not_found_names"], r16["plans_not_found_names"]) {
		t.Fatalf("%d rows, reports %v and %v", len(one), r1, r16)
	}
}
