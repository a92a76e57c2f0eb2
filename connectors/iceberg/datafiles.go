package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// The sink writes its data files with the lake's Parquet writer (the same
// encodings, zstd encoders, row group and memory bounds as the Parquet
// sink) straight into the table's data folder, then registers each file
// with the statistics iceberg-go reads from its footer. The files carry
// the Iceberg field ids, and each holds one day of the partition column,
// so its partition value is exact.

// dataOptions are the lake bounds of the sink's data files.
func dataOptions(o Options) lake.Options {
	lo := lake.DefaultOptions()
	lo.FileBytes = o.FileBytes
	return lo
}

// granularity is how a table's files are split: by day when the Iceberg
// table is partitioned by day of the table's date column, else not at all.
func granularity(ts *tableState) (lake.Granularity, error) {
	spec := ts.tbl.Spec()
	if spec.NumFields() == 0 {
		return lake.None, nil
	}
	f := spec.Field(0)
	src, ok := ts.tbl.Schema().FindFieldByID(f.SourceID())
	if spec.NumFields() != 1 || !ok || src.Name != ts.t.PartitionBy || f.Transform != (iceberg.DayTransform{}) {
		return "", fmt.Errorf("table %s: partition spec %s: ccetl writes tables partitioned by day(%s) or not at all", ts.t.Name, spec, ts.t.PartitionBy)
	}
	return lake.Day, nil
}

// createData opens the seq-th data file of k in the table's data folder,
// named as iceberg-go names its files, with the input key in its write id
// (see inputOf).
func (s *Sink) createData(ctx context.Context, t pipeline.Table, k lake.FileKey, seq int) (lake.ObjectWriter, error) {
	ts := s.tables[t.Name]
	part, err := partitionPath(ts.tbl, k.Part)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	lp, err := ts.tbl.LocationProvider()
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	name := fmt.Sprintf("00000-0-%s-%05d.parquet", writeID(k.Input), seq)
	if part != "" {
		name = part + "/" + name
	}
	wfs, err := ts.fs(ctx)
	if err != nil {
		return nil, err
	}
	path := lp.NewDataLocation(name)
	w, err := wfs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("table %s: create %s: %w", t.Name, path, err)
	}
	return &dataObject{fs: wfs, path: path, w: w}, nil
}

// dataDone registers a finished data file for the table's next commit.
func (s *Sink) dataDone(k lake.FileKey, f lake.Finished) error {
	ts := s.tables[k.Table]
	wfs, err := ts.fs(s.ctx)
	if err != nil {
		return err
	}
	path := f.Object.Key()
	var rd icebergio.IO = wfs
	if o, ok := f.Object.(*dataObject); ok {
		rd = footerIO{IO: wfs, obj: o} // the footer from memory, not fetched again
	}
	df, err := table.FileToDataFile(s.ctx, rd, path, ts.tbl.Schema(), ts.tbl.Spec(), 0, ts.tbl.Properties())
	if err != nil {
		_ = wfs.Remove(path)
		return fmt.Errorf("table %s: read back %s: %w", k.Table, path, err)
	}
	ts.files = append(ts.files, df)
	return nil
}

// fs is the table's file IO, opened once.
func (ts *tableState) fs(ctx context.Context) (icebergio.WriteFileIO, error) {
	if ts.wfs != nil {
		return ts.wfs, nil
	}
	tfs, err := ts.tbl.FS(ctx)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", ts.t.Name, err)
	}
	wfs, ok := tfs.(icebergio.WriteFileIO)
	if !ok {
		return nil, fmt.Errorf("table %s: the warehouse's file IO cannot write", ts.t.Name)
	}
	ts.wfs = wfs
	return wfs, nil
}

// partitionPath turns a lake partition folder (dt=2024-05-01, or the
// default partition of null dates) into the table's partition path
// (when_day=2024-05-01, when_day=null).
func partitionPath(tbl *table.Table, part string) (string, error) {
	spec := tbl.Spec()
	if part == "" || spec.NumFields() == 0 {
		return "", nil
	}
	var val any
	if _, day, _ := strings.Cut(part, "="); day != lake.DefaultPartition {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return "", fmt.Errorf("partition %s: %w", part, err)
		}
		val = iceberg.Date(d.Unix() / 86400)
	}
	return spec.PartitionToPath(partitionValue{val}, tbl.Schema()), nil
}

// partitionValue is one partition's values, as PartitionToPath reads them.
type partitionValue []any

func (p partitionValue) Size() int        { return len(p) }
func (p partitionValue) Get(i int) any    { return p[i] }
func (p partitionValue) Set(i int, v any) { p[i] = v }

// dataObject is a data file written through the warehouse's file IO. It
// is at its final path once closed, unreferenced until a commit lists it.
type dataObject struct {
	fs   icebergio.WriteFileIO
	path string
	w    io.WriteCloser
	tail tail // the file's last bytes, where its footer is
}

func (o *dataObject) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.tail.write(p[:n])
	return n, err
}

func (o *dataObject) Close() error                 { return o.w.Close() }
func (o *dataObject) Commit(context.Context) error { return nil }
func (o *dataObject) Key() string                  { return o.path }

func (o *dataObject) Abort(context.Context) error {
	_ = o.w.Close()
	if err := o.fs.Remove(o.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
