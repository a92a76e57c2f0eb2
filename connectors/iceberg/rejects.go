package iceberg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// rejects holds a table's rejected rows as JSON lines until its commit.
type rejects struct {
	buf bytes.Buffer
	n   int64
}

func (r *rejects) add(table string, rows []pipeline.Reject) error {
	enc := json.NewEncoder(&r.buf)
	enc.SetEscapeHTML(false)
	for _, row := range rows {
		if err := enc.Encode(row.JSON(table)); err != nil {
			return fmt.Errorf("rejects of %s: %w", table, err)
		}
		r.n++
	}
	return nil
}

// writeRejects writes the rejects file next to the table's data, under a
// name no other commit uses: the commit that follows refers to it.
func writeRejects(ctx context.Context, tbl *table.Table, name string, r *rejects) (string, error) {
	loc := tbl.Location() + "/rejects/" + name
	fs, err := tbl.FS(ctx)
	if err != nil {
		return "", err
	}
	wfs, ok := fs.(icebergio.WriteFileIO)
	if !ok {
		return "", fmt.Errorf("rejects %s: the warehouse cannot be written", loc)
	}
	if err := wfs.WriteFile(loc, r.buf.Bytes()); err != nil {
		return "", fmt.Errorf("rejects %s: %w", loc, err)
	}
	return loc, nil
}
