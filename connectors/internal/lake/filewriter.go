package lake

import (
	"bufio"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ccetl/ccetl/pipeline"
)

// fileWriter is one Parquet file being written into a staged object.
type fileWriter struct {
	ow      ObjectWriter
	cw      *countWriter
	buf     *bufio.Writer
	pw      *pqarrow.FileWriter
	rows    int64
	used    int64
	rgBytes int64
	memMax  int64 // WriteMemory
	// Arrow bytes written into the open row group, and the most its
	// columns' page buffers can hold (cols x page size).
	rgArrow  int64
	pageBufs int64
	rgFull   bool // the open row group is past its bounds
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writerProps: zstd, statistics, and dictionaries for every column but
// floats, timestamps and int64s, whose values rarely repeat enough to pay
// for the hashing, and the string columns in plain, seen to hold mostly
// distinct values (see plainStrings).
func writerProps(schema *arrow.Schema, opts Options, mem memory.Allocator, plain map[string]bool) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(opts.ZstdLevel),
		parquet.WithMaxRowGroupLength(opts.RowGroupRows),
		parquet.WithDataPageSize(opts.PageBytes),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithCreatedBy("ccetl"),
	}
	for _, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.FLOAT64, arrow.FLOAT32, arrow.TIMESTAMP, arrow.INT64:
			props = append(props, parquet.WithDictionaryFor(f.Name, false))
		}
	}
	for path := range plain { // column paths: a top-level name, or a map's values
		props = append(props, parquet.WithDictionaryFor(path, false))
	}
	return parquet.NewWriterProperties(props...)
}

func newFileWriter(ow ObjectWriter, t pipeline.Table, opts Options, mem memory.Allocator, plain map[string]bool) (*fileWriter, error) {
	buf := bufio.NewWriterSize(ow, 64<<10)
	cw := &countWriter{w: buf}
	arrProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
	pw, err := pqarrow.NewFileWriter(t.Schema, cw, writerProps(t.Schema, opts, mem, plain), arrProps)
	if err != nil {
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	if err := pw.AppendKeyValueMetadata("ccetl.table", t.Name); err != nil {
		return nil, err
	}
	if err := pw.AppendKeyValueMetadata("ccetl.schema_fingerprint", SchemaFingerprint(t.Schema)); err != nil {
		return nil, err
	}
	return &fileWriter{ow: ow, cw: cw, buf: buf, pw: pw, rgBytes: opts.RowGroupBytes, memMax: opts.WriteMemory,
		pageBufs: int64(leafColumns(t.Schema)) * opts.PageBytes}, nil
}

// leafColumns counts the Parquet columns of a schema: each has its page
// buffers (a struct of 64 strings is 64 columns, not one).
func leafColumns(sc *arrow.Schema) int {
	var leaves func(dt arrow.DataType) int
	leaves = func(dt arrow.DataType) int {
		switch t := dt.(type) {
		case *arrow.StructType:
			n := 0
			for _, f := range t.Fields() {
				n += leaves(f.Type)
			}
			return n
		case *arrow.MapType:
			return leaves(t.KeyType()) + leaves(t.ItemType())
		case arrow.ListLikeType:
			return leaves(t.Elem())
		}
		return 1
	}
	n := 0
	for _, f := range sc.Fields() {
		n += leaves(f.Type)
	}
	return n
}

// write adds rec, whose Arrow buffers hold about arrowBytes, to the open row
// group. A row group past its bounds is written out before the next write,
// so that a file never ends with an empty row group. The bounds are
// row_group_bytes and, for this file alone, write_memory less its page
// buffers (at most half of it): the page buffers come back with the next
// row group, only the compressed pages go.
func (f *fileWriter) write(rec arrow.RecordBatch, arrowBytes int64) error {
	if f.rgFull {
		if err := f.pw.NewBufferedRowGroupChecked(); err != nil {
			return fmt.Errorf("write parquet: %w", err)
		}
		f.rgArrow, f.rgFull = 0, false
	}
	if err := f.pw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	f.rows += rec.NumRows()
	f.rgArrow += arrowBytes
	compressed := f.pw.RowGroupTotalCompressedBytes()
	f.rgFull = compressed >= f.rgBytes || compressed >= f.memMax-min(4*f.pageBufs, f.memMax/2)
	return nil
}

// mem estimates the memory the open row group holds: its compressed pages
// plus, per column, the buffers that grow with what was written up to a
// page each: the values being encoded (up to twice a page, as the buffer
// doubles), the page and its compressed copy.
func (f *fileWriter) mem() int64 {
	return f.pw.RowGroupTotalCompressedBytes() + 4*min(f.rgArrow, f.pageBufs)
}

// bytes is the file's size so far, counting the open row group.
func (f *fileWriter) bytes() int64 { return f.cw.n + f.pw.RowGroupTotalCompressedBytes() }

// close writes the footer and finishes the staged object.
func (f *fileWriter) close() error {
	if err := f.pw.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	if err := f.buf.Flush(); err != nil {
		return err
	}
	return f.ow.Close()
}

// discard drops the writer's buffers without writing a footer.
func (f *fileWriter) discard() { _ = f.pw.Close() }

// plainSample is how many rows of a table's first batch plainStrings looks
// at.
const plainSample = 4096

// plainStrings returns the string columns of rec, at the top level or the
// values of a map of strings, whose values are mostly distinct in its first
// rows (ids, phone numbers, free text), by their column paths: a dictionary
// of them only grows until the writer gives it up for plain encoding,
// hashing every value on the way.
func plainStrings(rec arrow.RecordBatch) map[string]bool {
	plain := map[string]bool{}
	seen := map[string]struct{}{}
	distinct := func(col *array.String) bool {
		clear(seen)
		vals := 0
		for r := 0; r < min(col.Len(), plainSample); r++ {
			if col.IsValid(r) {
				seen[col.Value(r)] = struct{}{}
				vals++
			}
		}
		return vals >= 64 && 2*len(seen) > vals
	}
	for i, f := range rec.Schema().Fields() {
		switch col := rec.Column(i).(type) {
		case *array.String:
			if distinct(col) {
				plain[f.Name] = true
			}
		case *array.Map:
			if items, ok := col.Items().(*array.String); ok && distinct(items) {
				plain[f.Name+".key_value.value"] = true
			}
		}
	}
	return plain
}
