package org

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// ExportTypes are the import types of the Calabrio Export API
// (GET /api/rest/fileexport/<importType>) this package decodes, in the
// order a pull takes them.
var ExportTypes = []string{"groups", "teams", "persons"}

func specOf(importType string) (*spec, error) {
	switch importType {
	case "groups":
		return groups, nil
	case "teams":
		return teams, nil
	case "persons":
		return persons, nil
	}
	return nil, fmt.Errorf("unknown import type %q (groups, teams or persons)", importType)
}

// ExportTable is the table an import type's rows go to.
func ExportTable(importType string) (pipeline.Table, error) {
	s, err := specOf(importType)
	if err != nil {
		return pipeline.Table{}, err
	}
	return s.table, nil
}

// CheckExportOptions checks the options of an import type's kind
// (header_map, date_order) without reading anything.
func CheckExportOptions(importType string, opts map[string]string) error {
	s, err := specOf(importType)
	if err != nil {
		return err
	}
	_, err = s.parseOptions(opts)
	return err
}

// NewExportSource decodes one export of importType streamed from r (a
// response body, read once) with the options of its kind. Its batches and
// rejects name input. The source does not close r, and reports no inputs:
// the caller knows what it read.
func NewExportSource(importType string, r io.Reader, input string, opts map[string]string,
	policy pipeline.BatchPolicy, mem memory.Allocator) (pipeline.Source, error) {
	s, err := specOf(importType)
	if err != nil {
		return nil, err
	}
	o, err := s.parseOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("kind %s: %w", s.kind, err)
	}
	return tabular.NewSource(tabular.Config{Files: inputs.FromReader(input, r), Tables: []pipeline.Table{s.table},
		Accept: func(inputs.File) bool { return true }, Open: s.layout(o), Policy: policy, Mem: mem})
}
