package iceberg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	icebergio "github.com/apache/iceberg-go/io"

	"github.com/ccetl/ccetl/pipeline"
)

// PutFile copies a file a source stores beside its rows (a recording, a
// transcript) into the warehouse, under media/<run key>/<rel>, the path
// the rows name, as the Parquet lake does. No snapshot lists it: it is
// written at once, and a rerun writes it again under the same name.
func (s *Sink) PutFile(ctx context.Context, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	key, err := pipeline.MediaKey(s.runKey, rel)
	if err != nil {
		return pipeline.FileRef{}, err
	}
	loc := strings.TrimRight(s.location, "/") + "/" + key
	fsys, err := icebergio.LoadFS(ctx, s.ioProps, loc)
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("media %s: %w", key, err)
	}
	wfs, ok := fsys.(icebergio.WriteFileIO)
	if !ok {
		return pipeline.FileRef{}, fmt.Errorf("media %s: the warehouse cannot be written", key)
	}
	w, err := wfs.Create(loc)
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("media %s: %w", key, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("copy %s: %w", key, err)
	}
	return pipeline.FileRef{Path: key, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

var _ pipeline.FileStore = (*Sink)(nil)
