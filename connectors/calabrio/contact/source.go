package contact

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// source reads the contacts of every metadata file, then lists every
// recording of the upload.
type source struct {
	u        *upload.Upload
	rows     *upload.Rows
	rowsDone bool
	rec      *rowbuild.Batcher
	recNext  int
	// recInput names the recording table's batches: the upload as a whole
	// (its run key), since the table describes the upload, not one input;
	// a rerun of the same upload replaces its files.
	recInput string
}

var (
	_ pipeline.FileStoreUser = (*source)(nil)
	_ pipeline.Reporter      = (*source)(nil)
	_ pipeline.InputReporter = (*source)(nil)
)

func newSource(u *upload.Upload, cfg pipeline.SourceConfig) *source {
	mem := cfg.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	dec := upload.Decoder{
		Table: Table,
		CSV: func(f inputs.File, header [][]byte) (upload.CSVRowFunc, error) {
			return openCSV(u, f, header)
		},
		JSON: func(f inputs.File) upload.RowFunc { return openJSON(u, f) },
	}
	return &source{
		u:        u,
		rows:     upload.NewRows(u, dec, cfg.Policy, mem, cfg.BytesCounter()),
		rec:      rowbuild.NewBatcher(mem, RecordingTable, cfg.Policy),
		recInput: "upload:" + u.ID,
	}
}

func (s *source) Tables() []pipeline.Table { return []pipeline.Table{Table, RecordingTable} }

// UseFileStore takes the store referenced recordings are copied to.
func (s *source) UseFileStore(fs pipeline.FileStore) { s.u.UseFileStore(fs) }

// Inputs describes the inputs read.
func (s *source) Inputs() []pipeline.InputInfo { return s.u.Set.Inputs() }

// Report lists the recordings no written contact references.
func (s *source) Report() map[string]any { return s.u.Report("recordings") }

func (s *source) Close() error {
	s.rows.Close()
	s.rec.Release()
	return s.u.Close()
}

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	if !s.rowsDone {
		b, err := s.rows.Next(ctx)
		if !errors.Is(err, pipeline.ErrEndOfInput) {
			return b, err
		}
		s.rowsDone = true
	}
	return s.nextRecordings(ctx)
}

// nextRecordings lists the recordings once every contact is read (whether
// a recording is referenced is known only then).
func (s *source) nextRecordings(ctx context.Context) (pipeline.Batch, error) {
	all := s.u.Contents()
	for s.recNext < len(all) {
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		c := all[s.recNext]
		if s.rec.Full() {
			return s.rec.Flush(s.recInput), nil
		}
		s.recNext++
		n, sum, err := c.Digest()
		if err != nil {
			return pipeline.Batch{}, err
		}
		b := s.rec.B
		b.SetString(rUploadID, s.u.ID)
		b.SetString(rName, c.File.Base)
		b.SetString(rSourceFile, c.Name)
		b.SetInt(rBytes, n)
		b.SetString(rSHA256, sum)
		if ref, ok := c.Stored(); ok {
			b.SetString(rPath, ref.Path)
		}
		b.SetBool(rReferenced, c.Written > 0)
		b.SetInt(rContacts, c.Written)
		b.SetInt(rRejectedContacts, c.Rejected)
		s.rec.Commit(0)
	}
	if s.rec.Pending() {
		return s.rec.Flush(s.recInput), nil
	}
	return pipeline.Batch{}, pipeline.ErrEndOfInput
}
