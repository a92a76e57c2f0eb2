package tabular

import (
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// OpenKind resolves a source config's inputs and opens a CSV source over
// them: the whole Open of a CSV-only kind.
func OpenKind(cfg pipeline.SourceConfig, tables []pipeline.Table, accept func(inputs.File) bool, open Open) (pipeline.OpenedSource, error) {
	set, err := inputs.Resolve(cfg.Inputs, inputs.FromConfig(cfg))
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	src, err := NewSource(Config{Files: set, Tables: tables, Accept: accept, Open: open,
		Policy: cfg.Policy, Mem: cfg.Mem, BytesRead: cfg.BytesCounter()})
	if err != nil {
		set.Close()
		return pipeline.OpenedSource{}, err
	}
	return pipeline.OpenedSource{Source: src, RunKey: pipeline.RunKey(cfg.Kind, set.Names())}, nil
}

// IsCSV accepts files whose extension is .csv.
func IsCSV(f inputs.File) bool { return f.Ext() == "csv" }
