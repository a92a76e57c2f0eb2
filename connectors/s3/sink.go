package s3

import (
	"context"
	"errors"
	"slices"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// SinkKind registers s3://bucket/prefix outputs: the same Parquet lake as a
// local directory (layout, partitions, file sizes, manifests, rejects),
// written through a Store. Its options are the lake's plus OptionDocs;
// settings the options leave unset come from getenv as in ConfigFromEnv
// (nil: none), so `ccetl convert --out s3://...` needs no job file.
func SinkKind(getenv func(string) string) pipeline.SinkKind {
	return pipeline.SinkKind{
		Scheme:  "s3",
		Doc:     "Parquet in S3 or an S3-compatible store (s3://bucket/prefix)",
		Options: slices.Concat(lake.OptionDocs, OptionDocs),
		Validate: func(opts map[string]string) error {
			_, lerr := lake.ParseOptions(opts)
			_, serr := ConfigFromOptions("s3://bucket", opts, nil)
			return errors.Join(lerr, serr)
		},
		Open: func(ctx context.Context, sc pipeline.SinkConfig) (pipeline.Sink, error) {
			lopts, lerr := lake.ParseOptions(sc.Options)
			cfg, serr := ConfigFromOptions(sc.URL, sc.Options, getenv)
			if err := errors.Join(lerr, serr); err != nil {
				return nil, err
			}
			store, err := New(ctx, cfg)
			if err != nil {
				return nil, err
			}
			return lake.NewSink(store, sc.Tables, sc.RunKey, lopts)
		},
		Check: func(ctx context.Context, sc pipeline.SinkConfig) (pipeline.LakeCheck, error) {
			cfg, err := ConfigFromOptions(sc.URL, sc.Options, getenv)
			if err != nil {
				return pipeline.LakeCheck{}, err
			}
			store, err := New(ctx, cfg)
			if err != nil {
				return pipeline.LakeCheck{}, err
			}
			return lake.Check(ctx, store)
		},
	}
}
