package livevox

import (
	"reflect"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
)

// The tables of a pull are the same whatever the concurrency: agents,
// their assignments and call centers in list order.
func TestConcurrencyKeepsOrder(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{Latency: time.Millisecond})
	e.AddAgents(49551, 700000, 40, []int64{12366, 12367})
	pull := func(conc string) map[string][]map[string]any {
		_, out, err := run(t, testNow, options(e, "page_size", "7", "call_centers", "true", "concurrency", conc), "")
		if err != nil {
			t.Fatal(err)
		}
		tables := map[string][]map[string]any{}
		for _, tb := range Tables {
			tables[tb.Name] = lakecheck.Table(t, out, tb.Name)
		}
		return tables
	}
	one, many := pull("1"), pull("16")
	for name, rows := range one {
		if !reflect.DeepEqual(rows, many[name]) {
			t.Fatalf("%s: rows differ between concurrency 1 and 16", name)
		}
	}
	if n := len(one[AgentTableName]); n != 49 {
		t.Fatalf("%d agents", n)
	}
}
