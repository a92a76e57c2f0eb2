package local

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// SinkKind registers local directories (URLs without a scheme).
func SinkKind() pipeline.SinkKind {
	return pipeline.SinkKind{
		Scheme:   "",
		Doc:      "Parquet in a local directory (the default)",
		Options:  lake.OptionDocs,
		Validate: func(m map[string]string) error { _, err := lake.ParseOptions(m); return err },
		Open:     open,
		Check:    check,
	}
}

// check verifies the lake in a directory (ccetl lake check).
func check(ctx context.Context, cfg pipeline.SinkConfig) (pipeline.LakeCheck, error) {
	if fi, err := os.Stat(cfg.URL); err != nil || !fi.IsDir() {
		return pipeline.LakeCheck{}, fmt.Errorf("lake %s: not a directory", cfg.URL)
	}
	store, err := lake.NewLocalStore(cfg.URL)
	if err != nil {
		return pipeline.LakeCheck{}, err
	}
	defer store.Close()
	return lake.Check(ctx, store)
}

func open(_ context.Context, cfg pipeline.SinkConfig) (pipeline.Sink, error) {
	opts, err := lake.ParseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	if cfg.URL == "" {
		return nil, errors.New("no output directory given")
	}
	store, err := lake.NewLocalStore(cfg.URL)
	if err != nil {
		return nil, err
	}
	s, err := lake.NewSink(store, cfg.Tables, cfg.RunKey, opts)
	if err != nil {
		store.Close()
		return nil, err
	}
	return &closingSink{Sink: s, store: store}, nil
}

// closingSink releases the store's staging folder when the sink is done.
type closingSink struct {
	*lake.Sink
	store *lake.LocalStore
}

func (c *closingSink) Close(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	res, err := c.Sink.Close(ctx, run)
	if err != nil {
		return res, err
	}
	return res, c.store.Close()
}

func (c *closingSink) Abort(ctx context.Context) error {
	err := c.Sink.Abort(ctx)
	return errors.Join(err, c.store.Close())
}
