package iceberg

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// ensureTable loads the Iceberg table of t, creating it (columns with fresh
// field ids, a day partition on t.PartitionBy) when missing. A column t has
// and the table lacks is added to it, before anything is written; a column
// whose type changed fails with an error naming it.
func ensureTable(ctx context.Context, cat catalog.Catalog, ns string, t pipeline.Table) (*table.Table, error) {
	ident := catalog.ToIdentifier(ns, t.Name)
	want, err := table.ArrowSchemaToIcebergWithFreshIDs(t.Schema, false)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	tbl, err := cat.LoadTable(ctx, ident)
	if errors.Is(err, catalog.ErrNoSuchTable) {
		opts := []catalog.CreateTableOpt{catalog.WithProperties(iceberg.Properties{
			"format-version": "2", "ccetl.table": t.Name})}
		if t.PartitionBy != "" {
			f, ok := want.FindFieldByName(t.PartitionBy)
			if !ok {
				return nil, fmt.Errorf("table %s: partition column %s not in schema", t.Name, t.PartitionBy)
			}
			spec := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{f.ID}, FieldID: 1000,
				Name: t.PartitionBy + "_day", Transform: iceberg.DayTransform{}})
			opts = append(opts, catalog.WithPartitionSpec(&spec))
		}
		tbl, err = cat.CreateTable(ctx, ident, want, opts...)
		if errors.Is(err, catalog.ErrTableAlreadyExists) { // another run created it meanwhile
			tbl, err = cat.LoadTable(ctx, ident)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("iceberg table %s: %w", t.Name, err)
	}
	return evolve(ctx, tbl, t, want)
}

// evolve adds the columns of want the table lacks, and refuses type changes.
func evolve(ctx context.Context, tbl *table.Table, t pipeline.Table, want *iceberg.Schema) (*table.Table, error) {
	have := tbl.Schema()
	var missing []iceberg.NestedField
	var errs []error
	for _, f := range want.Fields() {
		hf, ok := have.FindFieldByName(f.Name)
		if !ok {
			missing = append(missing, f)
			continue
		}
		if !hf.Type.Equals(f.Type) {
			errs = append(errs, fmt.Errorf("table %s: column %s is %s in the Iceberg table but %s now; an incompatible change needs a new table",
				t.Name, f.Name, hf.Type, f.Type))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return tbl, nil
	}
	tx := tbl.NewTransaction()
	us := tx.UpdateSchema(true, false)
	for _, f := range missing {
		us = us.AddColumn([]string{f.Name}, f.Type, f.Doc, false, nil)
	}
	if err := us.Commit(); err != nil {
		return nil, fmt.Errorf("table %s: add columns: %w", t.Name, err)
	}
	out, err := tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("table %s: add columns: %w", t.Name, err)
	}
	return out, nil
}

// fileSchema is t's Arrow schema with each column, and each list element,
// map key and value and struct field in it, carrying the field id the
// Iceberg table gave it, so data files map columns by id, not by name.
func fileSchema(tbl *table.Table, sc *arrow.Schema) (*arrow.Schema, error) {
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		nf, ok := tbl.Schema().FindFieldByName(f.Name)
		if !ok {
			return nil, fmt.Errorf("column %s not in the Iceberg table", f.Name)
		}
		var err error
		if fields[i], err = withIDs(f, nf); err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// withIDs returns f with the field ids of nf, recursively.
func withIDs(f arrow.Field, nf iceberg.NestedField) (arrow.Field, error) {
	f.Metadata = arrow.NewMetadata([]string{table.ArrowParquetFieldIDKey}, []string{strconv.Itoa(nf.ID)})
	mismatch := fmt.Errorf("%s does not match Iceberg type %s", f.Type, nf.Type)
	switch at := f.Type.(type) {
	case *arrow.ListType, *arrow.LargeListType:
		lt, ok := nf.Type.(*iceberg.ListType)
		if !ok {
			return f, mismatch
		}
		elem, err := withIDs(at.(arrow.ListLikeType).ElemField(), lt.ElementField())
		if err != nil {
			return f, err
		}
		if _, large := at.(*arrow.LargeListType); large {
			f.Type = arrow.LargeListOfField(elem)
		} else {
			f.Type = arrow.ListOfField(elem)
		}
	case *arrow.MapType:
		mt, ok := nf.Type.(*iceberg.MapType)
		if !ok {
			return f, mismatch
		}
		key, err := withIDs(at.KeyField(), mt.KeyField())
		if err != nil {
			return f, err
		}
		item, err := withIDs(at.ItemField(), mt.ValueField())
		if err != nil {
			return f, err
		}
		m := arrow.MapOfFields(key, item)
		m.KeysSorted = at.KeysSorted
		f.Type = m
	case *arrow.StructType:
		st, ok := nf.Type.(*iceberg.StructType)
		if !ok {
			return f, mismatch
		}
		children := make([]arrow.Field, at.NumFields())
		for i, c := range at.Fields() {
			var cf iceberg.NestedField
			found := false
			for _, x := range st.FieldList {
				if x.Name == c.Name {
					cf, found = x, true
				}
			}
			if !found {
				return f, fmt.Errorf("struct field %s not in the Iceberg table", c.Name)
			}
			var err error
			if children[i], err = withIDs(c, cf); err != nil {
				return f, err
			}
		}
		f.Type = arrow.StructOf(children...)
	}
	return f, nil
}
