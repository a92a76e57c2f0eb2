package genesys

import (
	"reflect"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// The tables and the checkpoints of a pull are the same whatever the
// concurrency: rows in list order, one checkpoint per window in order.
func TestConcurrencyKeepsOrderAndCheckpoints(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{Latency: time.Millisecond})
	e.Seed(genesystest.Seed{Users: users, From: day0, Days: 10, PerDay: 6, Statuses: 5, Annotations: 4})
	type result struct {
		tables      map[string][]map[string]any
		checkpoints []lakecheck.Checkpoint
	}
	pull := func(conc string) result {
		opts := options(e, users, "page_size", "4", "users_per_request", "2", "concurrency", conc)
		_, cps, err := lakecheck.DrainWith(t, Kind(), lakecheck.Options{Opts: opts, Now: now0()})
		if err != nil {
			t.Fatal(err)
		}
		o := run(t, opts, now0(), nil, "")
		if o.err != nil {
			t.Fatal(o.err)
		}
		r := result{tables: map[string][]map[string]any{}, checkpoints: cps}
		for _, tb := range Tables {
			r.tables[tb.Name] = lakecheck.Table(t, o.out, tb.Name)
		}
		return r
	}
	one, many := pull("1"), pull("16")
	if len(one.checkpoints) != 2 {
		t.Fatalf("%d checkpoints, want one per window (2)", len(one.checkpoints))
	}
	if !reflect.DeepEqual(one.checkpoints, many.checkpoints) {
		t.Fatalf("checkpoints differ:\n%v\n%v", one.checkpoints, many.checkpoints)
	}
	for name, rows := range one.tables {
		if !reflect.DeepEqual(rows, many.tables[name]) {
			t.Fatalf("%s: rows differ between concurrency 1 and 16", name)
		}
	}
	if len(one.tables[StatusTableName]) != 10*6*5 {
		t.Fatalf("%d status rows", len(one.tables[StatusTableName]))
	}
}
