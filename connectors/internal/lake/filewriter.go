package lake

import (
	"bufio"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
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
// floats and timestamps, whose values rarely repeat enough to pay for the
// hashing.
func writerProps(schema *arrow.Schema, opts Options, mem memory.Allocator) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(opts.ZstdLevel),
		parquet.WithMaxRowGroupLength(opts.RowGroupRows),
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
	return parquet.NewWriterProperties(props...)
}

func newFileWriter(ow ObjectWriter, t pipeline.Table, opts Options, mem memory.Allocator) (*fileWriter, error) {
	buf := bufio.NewWriterSize(ow, 64<<10)
	cw := &countWriter{w: buf}
	arrProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
	pw, err := pqarrow.NewFileWriter(t.Schema, cw, writerProps(t.Schema, opts, mem), arrProps)
	if err != nil {
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	if err := pw.AppendKeyValueMetadata("ccetl.table", t.Name); err != nil {
		return nil, err
	}
	if err := pw.AppendKeyValueMetadata("ccetl.schema_fingerprint", SchemaFingerprint(t.Schema)); err != nil {
		return nil, err
	}
	return &fileWriter{ow: ow, cw: cw, buf: buf, pw: pw, rgBytes: opts.RowGroupBytes}, nil
}

func (f *fileWriter) write(rec arrow.RecordBatch) error {
	if err := f.pw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	f.rows += rec.NumRows()
	if f.pw.RowGroupTotalCompressedBytes() >= f.rgBytes {
		if err := f.pw.NewBufferedRowGroupChecked(); err != nil {
			return fmt.Errorf("write parquet: %w", err)
		}
	}
	return nil
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
