package lake

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path"

	"github.com/ccetl/ccetl/pipeline"
)

type rejectWriter struct {
	ow  ObjectWriter
	buf *bufio.Writer
	enc *json.Encoder
	n   int64
}

// Reject appends rejected rows to the table's staged rejects file.
func (s *Sink) Reject(ctx context.Context, table string, rejects []pipeline.Reject) error {
	defer s.bound(ctx)()
	rw, ok := s.rejects[table]
	if !ok {
		name := s.runKey + ".jsonl" // later segments (after checkpoints): <run key>.<n>.jsonl
		if n := s.rejectSegs[table]; n > 0 {
			name = fmt.Sprintf("%s.%d.jsonl", s.runKey, n)
		}
		s.rejectSegs[table]++
		ow, err := s.store.Create(s.objs, path.Join("_rejects", table, name))
		if err != nil {
			return err
		}
		buf := bufio.NewWriterSize(ow, 256<<10)
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		rw = &rejectWriter{ow: ow, buf: buf, enc: enc}
		s.rejects[table] = rw
	}
	for _, r := range rejects {
		if err := rw.enc.Encode(r.JSON(table)); err != nil {
			return fmt.Errorf("rejects of %s: %w", table, err)
		}
		rw.n++
	}
	return nil
}
