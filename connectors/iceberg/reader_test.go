package iceberg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/hamba/avro/v2/ocf"
)

// The tests read tables back without iceberg-go: the metadata JSON by hand,
// manifest lists and manifests with a separate Avro library, data files with
// arrow-go's Parquet reader.

// fetcher reads a file of the warehouse by its location.
type fetcher func(loc string) ([]byte, error)

// localFetch reads file:// and plain paths.
func localFetch(loc string) ([]byte, error) {
	if strings.HasPrefix(loc, "file://") {
		u, err := url.Parse(loc)
		if err != nil {
			return nil, err
		}
		loc = u.Path
	}
	return os.ReadFile(loc)
}

// snapshotMeta is what the reader takes from a snapshot.
type snapshotMeta struct {
	ID           int64             `json:"snapshot-id"`
	Parent       *int64            `json:"parent-snapshot-id"`
	ManifestList string            `json:"manifest-list"`
	Summary      map[string]string `json:"summary"`
}

// tableMeta is what the reader takes from a metadata file.
type tableMeta struct {
	FormatVersion int            `json:"format-version"`
	Location      string         `json:"location"`
	Current       *int64         `json:"current-snapshot-id"`
	Snapshots     []snapshotMeta `json:"snapshots"`
	Schemas       []struct {
		ID     int `json:"schema-id"`
		Fields []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
			Type any    `json:"type"`
		} `json:"fields"`
	} `json:"schemas"`
	CurrentSchema int `json:"current-schema-id"`
	Specs         []struct {
		Fields []struct {
			SourceID  int    `json:"source-id"`
			Transform string `json:"transform"`
		} `json:"fields"`
	} `json:"partition-specs"`
	Properties map[string]string `json:"properties"`
}

func readMeta(t *testing.T, fetch fetcher, loc string) tableMeta {
	t.Helper()
	raw, err := fetch(loc)
	if err != nil {
		t.Fatalf("metadata %s: %v", loc, err)
	}
	var m tableMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("metadata %s: %v", loc, err)
	}
	return m
}

func (m tableMeta) snapshot(id int64) *snapshotMeta {
	for i := range m.Snapshots {
		if m.Snapshots[i].ID == id {
			return &m.Snapshots[i]
		}
	}
	return nil
}

// history lists the snapshots from the first to the current one.
func (m tableMeta) history() []snapshotMeta {
	var out []snapshotMeta
	for id := m.Current; id != nil; {
		s := m.snapshot(*id)
		if s == nil {
			break
		}
		out = append([]snapshotMeta{*s}, out...)
		id = s.Parent
	}
	return out
}

// readAvro decodes every record of an Avro object container file.
func readAvro(t *testing.T, fetch fetcher, loc string) []map[string]any {
	t.Helper()
	raw, err := fetch(loc)
	if err != nil {
		t.Fatalf("avro %s: %v", loc, err)
	}
	dec, err := ocf.NewDecoder(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("avro %s: %v", loc, err)
	}
	var out []map[string]any
	for dec.HasNext() {
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("avro %s: %v", loc, err)
		}
		out = append(out, rec)
	}
	if err := dec.Error(); err != nil {
		t.Fatalf("avro %s: %v", loc, err)
	}
	return out
}

// liveFile is a data file a snapshot lists.
type liveFile struct {
	Path string
	Rows int64
}

// liveFiles lists the data files of a snapshot: entries of its data
// manifests not marked deleted. It fails on delete files (the sink writes
// none).
func liveFiles(t *testing.T, fetch fetcher, s snapshotMeta) []liveFile {
	t.Helper()
	var out []liveFile
	for _, mf := range readAvro(t, fetch, s.ManifestList) {
		if c, _ := mf["content"].(int); c != 0 {
			t.Fatalf("manifest %v holds delete files", mf["manifest_path"])
		}
		for _, e := range readAvro(t, fetch, mf["manifest_path"].(string)) {
			if st, _ := e["status"].(int); st == 2 {
				continue
			}
			df := e["data_file"].(map[string]any)
			if c, _ := df["content"].(int); c != 0 {
				t.Fatalf("delete file %v listed", df["file_path"])
			}
			out = append(out, liveFile{Path: df["file_path"].(string), Rows: df["record_count"].(int64)})
		}
	}
	return out
}

// readRows reads the named columns of every live file of a snapshot as
// strings, one map per row, checking each file's row count.
func readRows(t *testing.T, fetch fetcher, s snapshotMeta, cols ...string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, f := range liveFiles(t, fetch, s) {
		raw, err := fetch(f.Path)
		if err != nil {
			t.Fatalf("data file %s: %v", f.Path, err)
		}
		tbl := parquetTable(t, f.Path, raw)
		if tbl.NumRows() != f.Rows {
			t.Errorf("data file %s: %d rows, manifest says %d", f.Path, tbl.NumRows(), f.Rows)
		}
		rr := array.NewTableReader(tbl, 0)
		for rr.Next() {
			rec := rr.RecordBatch()
			for r := 0; r < int(rec.NumRows()); r++ {
				row := map[string]string{}
				for _, c := range cols {
					idx := rec.Schema().FieldIndices(c)
					if len(idx) != 1 {
						t.Fatalf("data file %s: no column %s", f.Path, c)
					}
					row[c] = cell(rec.Column(idx[0]), r)
				}
				out = append(out, row)
			}
		}
		rr.Release()
		tbl.Release()
	}
	return out
}

// parquetTable reads a whole Parquet file with arrow-go's reader.
func parquetTable(t *testing.T, path string, raw []byte) arrow.Table {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("data file %s: %v", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("data file %s: %v", path, err)
	}
	return tbl
}

func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "<null>"
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return fmt.Sprint(a.Value(i))
	case *array.Int32:
		return fmt.Sprint(a.Value(i))
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC().Format("2006-01-02T15:04:05.000Z")
	case *array.Date32:
		return a.Value(i).FormattedString()
	}
	return a.ValueStr(i)
}
