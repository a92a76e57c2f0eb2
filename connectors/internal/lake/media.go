package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/ccetl/ccetl/pipeline"
)

// PutFile copies a file (a recording, a transcript) next to the tables, under
// media/<run key>/<rel>. It becomes visible with the commit. It is safe to call
// from the source's goroutine while batches are written.
func (s *Sink) PutFile(ctx context.Context, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	key, err := pipeline.MediaKey(s.runKey, rel)
	if err != nil {
		return pipeline.FileRef{}, err
	}
	s.mu.Lock()
	if ref, ok := s.media[key]; ok {
		s.mu.Unlock()
		return ref, nil
	}
	s.mu.Unlock()
	ow, err := s.store.Create(ctx, key)
	if err != nil {
		return pipeline.FileRef{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(ow, h), r)
	if err == nil {
		err = ow.Close()
	}
	if err != nil {
		ow.Abort(ctx)
		return pipeline.FileRef{}, fmt.Errorf("copy %s: %w", key, err)
	}
	ref := pipeline.FileRef{Path: key, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || s.closing {
		ow.Abort(ctx)
		return pipeline.FileRef{}, fmt.Errorf("copy %s: sink already closed", key)
	}
	s.media[key] = ref
	s.staged = append(s.staged, staged{ow: ow, file: pipeline.FileCommit{Path: key, Bytes: n}})
	return ref, nil
}
