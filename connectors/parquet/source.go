package parquet

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

type source struct {
	cfg    pipeline.SourceConfig
	files  []pqFile
	meta   []*metadata.FileMetaData // by file: its footer when kept from the schema check
	tables []pipeline.Table
	next   int

	// the file being read
	cur    *pqFile
	group  map[string]string // by table: the Batch.Group of its rows, none under only_new
	closer io.Closer
	pr     *file.Reader
	rr     pqarrow.RecordReader
	inputs []pipeline.InputInfo

	started  bool
	recycler *rowbuild.Recycler // nil unless batches are reusable
}

func newSource(ctx context.Context, cfg pipeline.SourceConfig, o options, files []pqFile) (*source, error) {
	s := &source{cfg: cfg, files: files, group: map[string]string{}, meta: make([]*metadata.FileMetaData, len(files))}
	var footers []footer
	kept := 0
	schemas := map[string]*arrow.Schema{}
	first := map[string]string{}
	for i, f := range files {
		if i%footerWindow == 0 { // the next window's footers, several at once
			footers = s.footers(ctx, files[i:min(len(files), i+footerWindow)])
		}
		ft := footers[i%footerWindow]
		if ft.err != nil { // files are checked in order: an earlier file's problem is named first
			return nil, ft.err
		}
		sc := ft.schema
		if kept+ft.meta.Size() <= keepFooterBytes {
			s.meta[i] = ft.meta // parsed once: openNext reads the file with it
			kept += ft.meta.Size()
		}
		prev, ok := schemas[f.table]
		if !ok {
			schemas[f.table], first[f.table] = sc, f.name
			pb := o.partitionBy
			if pb == "" {
				pb = f.view.partitionBy // the lake's own table, whatever the table option names it
			}
			if pb != "" && len(sc.FieldIndices(pb)) == 0 {
				return nil, fmt.Errorf("table %s: partition_by column %s is not in its files", f.table, pb)
			}
			s.tables = append(s.tables, pipeline.Table{Name: f.table, Schema: sc, PartitionBy: pb,
				Doc: "read from Parquet files of " + f.table})
			if g, ok := groupOf(f.table, cfg); ok {
				s.group[f.table] = g
			}
			continue
		}
		if !prev.Equal(sc) {
			return nil, fmt.Errorf("table %s: %s does not have the schema of %s (%s)", f.table, f.name, first[f.table], schemaDiff(prev, sc))
		}
	}
	return s, nil
}

// groupOf names the output of a table read whole, from folders (a lake
// root, table folders, S3 prefixes): the table, the folders and the
// partition filter. A rerun of the same read, even after files were added
// to the table, replaces what the last one wrote. Files named one by one
// (or by a glob) are each their own input, as is every file under
// only_new: a run then never replaces rows another run wrote.
func groupOf(table string, cfg pipeline.SourceConfig) (string, bool) {
	if cfg.Skip != nil {
		return "", false
	}
	in := slices.Clone(cfg.Inputs)
	for _, p := range in {
		if strings.HasSuffix(strings.ToLower(p), ".parquet") {
			return "", false
		}
	}
	slices.Sort(in)
	return KindName + ":" + table + "\x00" + strings.Join(in, "\x00") + "\x00" + strings.TrimSpace(cfg.Options["where"]), true
}

// schemaDiff names the first column two schemas disagree on.
func schemaDiff(a, b *arrow.Schema) string {
	for i := range max(a.NumFields(), b.NumFields()) {
		switch {
		case i >= a.NumFields():
			return "extra column " + b.Field(i).Name
		case i >= b.NumFields():
			return "missing column " + a.Field(i).Name
		case !a.Field(i).Equal(b.Field(i)):
			return fmt.Sprintf("column %s is %s there, %s here", a.Field(i).Name, a.Field(i).Type, b.Field(i).Type)
		}
	}
	return "metadata differs"
}

// footer is a file's parsed footer and the Arrow schema it gives, or why
// it could not be read.
type footer struct {
	meta   *metadata.FileMetaData
	schema *arrow.Schema
	err    error
}

// Footers are read footerReads at once (S3 inputs wait on the network
// more than on the cores), a window of footerWindow files at a time, so a
// table of many files holds one window's footers; of those, the reads keep
// footers of up to keepFooterBytes as stored (parsed, they take a few
// times that).
const (
	footerReads     = 8
	footerWindow    = 256
	keepFooterBytes = 4 << 20
)

// footers reads the footers of files, several at once.
func (s *source) footers(ctx context.Context, files []pqFile) []footer {
	out := make([]footer, len(files))
	var g errgroup.Group
	g.SetLimit(footerReads)
	for i, f := range files {
		g.Go(func() error {
			ft, err := s.readFooter(ctx, f)
			ft.err = err
			out[i] = ft
			return nil
		})
	}
	g.Wait()
	return out
}

func (s *source) readFooter(ctx context.Context, f pqFile) (footer, error) {
	ra, c, err := f.open(ctx)
	if err != nil {
		return footer{}, fmt.Errorf("open %s: %w", f.name, err)
	}
	defer c.Close()
	pr, err := file.NewParquetReader(ra)
	if err != nil {
		return footer{}, fmt.Errorf("%s is not a readable Parquet file: %w", f.name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, s.cfg.Mem)
	if err != nil {
		return footer{}, fmt.Errorf("%s: %w", f.name, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return footer{}, fmt.Errorf("%s: %w", f.name, err)
	}
	// the file's own metadata is not the table's
	return footer{meta: pr.MetaData(), schema: arrow.NewSchema(sc.Fields(), nil)}, nil
}

func (s *source) Tables() []pipeline.Table { return s.tables }

// Next returns the next batch of the file being read, opening the next file
// when one ends.
func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	if !s.started {
		s.started = true
		s.cfg.Mem, s.recycler = rowbuild.ForRun(ctx, s.cfg.Mem) // read into the memory of released batches
	}
	for {
		if s.rr == nil {
			if s.next == len(s.files) {
				return pipeline.Batch{}, pipeline.ErrEndOfInput
			}
			if err := s.openNext(ctx); err != nil {
				return pipeline.Batch{}, err
			}
		}
		if s.rr.Next() {
			rec := s.rr.RecordBatch()
			rec.Retain()
			sc := s.tableSchema(s.cur.table)
			out := arrowRecord(sc, rec)
			return pipeline.Batch{Table: s.cur.table, Rec: out, RowsRead: out.NumRows(), Input: s.cur.name,
				Group: s.group[s.cur.table]}, nil
		}
		if err := s.rr.Err(); err != nil && err != io.EOF {
			return pipeline.Batch{}, fmt.Errorf("read %s: %w", s.cur.name, err)
		}
		s.closeCur()
	}
}

func (s *source) tableSchema(table string) *arrow.Schema {
	i := slices.IndexFunc(s.tables, func(t pipeline.Table) bool { return t.Name == table })
	return s.tables[i].Schema
}

// arrowRecord puts a file's record under the table's schema (the same
// columns, without the file's own metadata).
func arrowRecord(sc *arrow.Schema, rec arrow.RecordBatch) arrow.RecordBatch {
	defer rec.Release()
	cols := rec.Columns()
	return arrowNewRecord(sc, cols, rec.NumRows())
}

func (s *source) openNext(ctx context.Context) error {
	f, md := s.files[s.next], s.meta[s.next]
	s.meta[s.next] = nil
	s.next++
	ra, c, err := f.open(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", f.name, err)
	}
	var opts []file.ReadOption
	if md != nil {
		// the footer read before, unless the file's size is not the one
		// listed (a rewritten file's footer is read again)
		if now, err := ra.Seek(0, io.SeekEnd); err == nil && now == f.size {
			opts = append(opts, file.WithMetadata(md))
		}
	}
	pr, err := file.NewParquetReader(ra, opts...)
	if err != nil {
		c.Close()
		return fmt.Errorf("%s is not a readable Parquet file: %w", f.name, err)
	}
	rows := s.cfg.Policy.MaxRows
	if rows <= 0 {
		rows = 64 * 1024
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(rows)}, s.cfg.Mem)
	if err != nil {
		pr.Close()
		c.Close()
		return fmt.Errorf("%s: %w", f.name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		pr.Close()
		c.Close()
		return fmt.Errorf("%s: %w", f.name, err)
	}
	s.cur, s.closer, s.pr, s.rr = &f, c, pr, rr
	s.inputs = append(s.inputs, pipeline.InputInfo{Name: f.name, Bytes: f.size, ETag: f.etag, Group: s.group[f.table]})
	if n := s.cfg.BytesCounter(); n != nil {
		n.Add(f.size)
	}
	return nil
}

func (s *source) closeCur() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
	if s.pr != nil {
		s.pr.Close()
		s.pr = nil
	}
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
}

func (s *source) Close() error {
	s.closeCur()
	if s.recycler != nil {
		s.recycler.Close()
	}
	return nil
}

// Inputs lists the files read.
func (s *source) Inputs() []pipeline.InputInfo { return s.inputs }

func arrowNewRecord(sc *arrow.Schema, cols []arrow.Array, rows int64) arrow.RecordBatch {
	return array.NewRecordBatch(sc, cols, rows)
}
