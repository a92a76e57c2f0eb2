package textcontact

import (
	"context"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/pipeline"
)

// source reads the contacts of every contact data file of the upload.
type source struct {
	u    *upload.Upload
	rows *upload.Rows
}

var (
	_ pipeline.Reporter      = (*source)(nil)
	_ pipeline.InputReporter = (*source)(nil)
)

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) { return s.rows.Next(ctx) }

func (s *source) Tables() []pipeline.Table { return []pipeline.Table{Table} }

// Inputs describes the inputs read.
func (s *source) Inputs() []pipeline.InputInfo { return s.u.Set.Inputs() }

// Report lists the TXT files no written contact references.
func (s *source) Report() map[string]any { return s.u.Report("text_files") }

func (s *source) Close() error {
	s.rows.Close()
	return s.u.Close()
}
