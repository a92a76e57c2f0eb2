package org

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// An export streamed from a reader decodes like a file; batches and rejects
// name the input given.
func TestNewExportSource(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const in = "calabrio-org-export:https://x.example/api/rest/fileexport/groups"
	body := "id,name,activatedDate,deactivatedDate\n1,G1,08/17/2016,12/31/2999\n2,,08/17/2016,12/31/2999\n"
	src, err := NewExportSource("groups", strings.NewReader(body), in, nil, pipeline.BatchPolicy{MaxRows: 1000}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var rows int64
	var rejects []pipeline.Reject
	for {
		b, err := src.Next(context.Background())
		if errors.Is(err, pipeline.ErrEndOfInput) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.Input != in || b.Table != GroupTable {
			t.Errorf("batch of %s into %s", b.Input, b.Table)
		}
		if b.Rec != nil {
			rows += b.Rec.NumRows()
		}
		rejects = append(rejects, b.Rejects...)
		b.Release()
	}
	if rows != 1 || len(rejects) != 1 || rejects[0].Source != in || rejects[0].Column != "name" {
		t.Errorf("%d rows, rejects %+v", rows, rejects)
	}
	if tb, err := ExportTable("persons"); err != nil || tb.Name != PersonTable {
		t.Errorf("ExportTable = %v, %v", tb.Name, err)
	}
}

func TestCheckExportOptions(t *testing.T) {
	if err := CheckExportOptions("teams", map[string]string{"date_order": "dmy", "header_map": "Nom=name"}); err != nil {
		t.Error(err)
	}
	if err := CheckExportOptions("teams", map[string]string{"header_map": "Nom=nope"}); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("bad header_map: %v", err)
	}
	if err := CheckExportOptions("agents", nil); err == nil {
		t.Error("unknown import type accepted")
	}
	if _, err := NewExportSource("teams", strings.NewReader(""), "x", map[string]string{"date_order": "ymd"}, pipeline.BatchPolicy{}, nil); err == nil {
		t.Error("bad date_order accepted")
	}
}
