package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ccetl/ccetl/pipeline"
)

type inspectColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Compression string `json:"compression"`
}

type inspectRowGroup struct {
	Rows             int64 `json:"rows"`
	CompressedBytes  int64 `json:"compressed_bytes"`
	UncompressedByte int64 `json:"uncompressed_bytes"`
}

type inspectFile struct {
	File      string            `json:"file"`
	Rows      int64             `json:"rows"`
	CreatedBy string            `json:"created_by"`
	Columns   []inspectColumn   `json:"columns"`
	RowGroups []inspectRowGroup `json:"row_groups"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

func (e *env) inspect(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	tableName := fs.String("table", "", "a lake with snapshots: this table only (default: every table)")
	opts := kvFlag{}
	fs.Var(opts, "sink-opt", "a lake with snapshots: a sink option k=v (catalog, catalog_uri, namespace, S3 settings); repeatable")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("inspect: name at least one Parquet file, or a lake with snapshots (iceberg:///dir)")
	}
	if strings.Contains(files[0], "://") {
		if sk, err := e.reg.Sink(files[0]); err == nil {
			// listing snapshots reads a few metadata files: no cancellation
			return e.inspectLake(ctx, sk, files, *tableName, opts, *asJSON)
		}
	}
	if *tableName != "" || len(opts) > 0 {
		return usagef("inspect: --table and --sink-opt are for lakes with snapshots (iceberg:///dir)")
	}
	var out []inspectFile
	for _, f := range files {
		fi, err := inspectOne(f)
		if err != nil {
			return err
		}
		out = append(out, fi)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, fi := range out {
		fmt.Fprintf(e.stdout, "%s: %d rows, %d row groups, created by %s\n", fi.File, fi.Rows, len(fi.RowGroups), fi.CreatedBy)
		for _, c := range fi.Columns {
			fmt.Fprintf(e.stdout, "  %-32s %-28s %s\n", c.Name, c.Type, c.Compression)
		}
		for i, rg := range fi.RowGroups {
			fmt.Fprintf(e.stdout, "  row group %d: %d rows, %d bytes compressed, %d uncompressed\n", i, rg.Rows, rg.CompressedBytes, rg.UncompressedByte)
		}
	}
	return nil
}

func inspectOne(path string) (inspectFile, error) {
	fi := inspectFile{File: path, Metadata: map[string]string{}}
	fh, err := os.Open(path)
	if err != nil {
		return fi, err
	}
	defer fh.Close()
	rdr, err := file.NewParquetReader(fh)
	if err != nil {
		return fi, fmt.Errorf("inspect %s: not a readable Parquet file: %w", path, err)
	}
	defer rdr.Close()
	md := rdr.MetaData()
	fi.Rows, fi.CreatedBy = md.NumRows, md.GetCreatedBy()
	kv := md.KeyValueMetadata()
	for i, k := range kv.Keys() {
		if k != "ARROW:schema" {
			fi.Metadata[k] = kv.Values()[i]
		}
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, nil)
	if err != nil {
		return fi, fmt.Errorf("inspect %s: %w", path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fi, fmt.Errorf("inspect %s: %w", path, err)
	}
	for i := 0; i < md.NumRowGroups(); i++ {
		rg := md.RowGroup(i)
		fi.RowGroups = append(fi.RowGroups, inspectRowGroup{Rows: rg.NumRows(), CompressedBytes: rg.TotalCompressedSize(), UncompressedByte: rg.TotalByteSize()})
	}
	for i, f := range schema.Fields() {
		c := inspectColumn{Name: f.Name, Type: f.Type.String()}
		if md.NumRowGroups() > 0 && i < md.RowGroup(0).NumColumns() {
			if cc, err := md.RowGroup(0).ColumnChunk(leafIndex(schema.Fields(), i)); err == nil {
				c.Compression = cc.Compression().String()
			}
		}
		fi.Columns = append(fi.Columns, c)
	}
	return fi, nil
}

// leafIndex is the Parquet leaf column where top-level field i starts.
func leafIndex(fields []arrow.Field, i int) int {
	n := 0
	for _, f := range fields[:i] {
		n += leaves(f.Type)
	}
	return n
}

func leaves(t arrow.DataType) int {
	switch t := t.(type) {
	case *arrow.MapType:
		return leaves(t.KeyType()) + leaves(t.ItemType())
	case arrow.ListLikeType:
		return leaves(t.Elem())
	case *arrow.StructType:
		n := 0
		for _, f := range t.Fields() {
			n += leaves(f.Type)
		}
		return n
	}
	return 1
}

// inspectLake lists the snapshots of a lake's tables (an Iceberg
// warehouse): each snapshot's run, operation and counts.
func (e *env) inspectLake(ctx context.Context, sk pipeline.SinkKind, args []string, table string, opts kvFlag, asJSON bool) error {
	if len(args) != 1 {
		return usagef("inspect: give one lake, or Parquet files")
	}
	if sk.Snapshots == nil {
		return usagef("inspect: %s lakes have no snapshots; name Parquet files", sk.Doc)
	}
	if err := sk.CheckOptions(opts); err != nil {
		return usagef("inspect: %v", err)
	}
	tables, err := sk.Snapshots(ctx, pipeline.SinkConfig{URL: args[0], Options: opts}, table)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(tables)
	}
	for _, t := range tables {
		fmt.Fprintf(e.stdout, "%s: %d snapshots (%s)\n", t.Table, len(t.Snapshots), t.Location)
		if len(t.Snapshots) == 0 {
			continue
		}
		fmt.Fprintf(e.stdout, "  %-1s %-20s %-20s %-17s %-26s %-12s %10s %10s %8s %8s %10s\n",
			"", "SNAPSHOT", "TIME", "OPERATION", "RUN", "KIND", "+ROWS", "-ROWS", "+FILES", "-FILES", "ROWS")
		for _, s := range t.Snapshots {
			cur, op := "", s.Operation
			if s.Current {
				cur = "*"
			}
			if s.Maintenance != "" {
				op += " (" + s.Maintenance + ")"
			} else if !s.Final && s.RunID != "" {
				op += " (checkpoint)"
			}
			fmt.Fprintf(e.stdout, "  %-1s %-20d %-20s %-17s %-26s %-12s %10d %10d %8d %8d %10d\n",
				cur, s.ID, s.Time.Format(time.DateTime), op, s.RunID, s.Kind,
				s.AddedRows, s.DeletedRows, s.AddedFiles, s.DeletedFiles, s.TotalRows)
		}
	}
	return nil
}
