package iceberg

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// PropOperation marks a snapshot made by maintenance rather than a run:
// "compact" for a compaction. Such a snapshot carries the run properties
// (ccetl.run-id, ccetl.cursors, ...) of the snapshot it was made on, so the
// table's last snapshot still says how far its data goes.
const PropOperation = "ccetl.operation"

// OpCompact is PropOperation's value on a compaction snapshot.
const OpCompact = "compact"

// openLake opens the catalog of an existing warehouse for maintenance; it
// makes no catalog file and no namespace.
func openLake(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string) (lakeCatalog, Options, error) {
	o, err := ParseOptions(sc.Options, getenv)
	if err != nil {
		return nil, o, err
	}
	wh, err := ParseURL(sc.URL)
	if err != nil {
		return nil, o, err
	}
	cat, err := openLakeCatalog(ctx, wh, o, false)
	return cat, o, err
}

// eachTable opens an existing warehouse's catalog and calls do for each
// table of the namespace (or the one named), in name order, going on past
// a table's error; it returns the errors joined, each naming its table
// and what (compact, expire) failed.
func eachTable(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, only, what string,
	do func(cat lakeCatalog, id table.Identifier, o Options) error) error {
	cat, o, err := openLake(ctx, sc, getenv)
	if err != nil {
		return err
	}
	defer cat.Close()
	ids, err := tablesOf(ctx, cat, o.Namespace, only)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := do(cat, id, o); err != nil {
			errs = append(errs, fmt.Errorf("table %s: %s: %w", tableName(id), what, err))
		}
	}
	return errors.Join(errs...)
}

// tablesOf lists the namespace's tables by name, or only the one named.
func tablesOf(ctx context.Context, cat lakeCatalog, ns, only string) ([]table.Identifier, error) {
	if only != "" {
		id := catalog.ToIdentifier(ns, only)
		ok, err := cat.CheckTableExists(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("iceberg table %s: %w", only, err)
		}
		if !ok {
			return nil, fmt.Errorf("no table %s in namespace %s", only, ns)
		}
		return []table.Identifier{id}, nil
	}
	var out []table.Identifier
	for id, err := range cat.ListTables(ctx, catalog.ToIdentifier(ns)) {
		if err != nil {
			return nil, fmt.Errorf("list tables of %s: %w", ns, err)
		}
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b table.Identifier) int { return strings.Compare(tableName(a), tableName(b)) })
	return out, nil
}

func tableName(id table.Identifier) string { return id[len(id)-1] }
