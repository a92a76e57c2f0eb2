package iceberg

import (
	"context"
	"errors"

	"github.com/ccetl/ccetl/pipeline"
)

// SinkKinds registers Iceberg outputs: iceberg:///dir (a warehouse in a
// local directory) and iceberg+s3://bucket/prefix (a warehouse in S3).
// getenv (nil: none) supplies the S3 settings the options leave unset.
func SinkKinds(getenv func(string) string) []pipeline.SinkKind {
	validate := func(opts map[string]string) error { _, err := ParseOptions(opts, nil); return err }
	open := func(ctx context.Context, sc pipeline.SinkConfig) (pipeline.Sink, error) {
		return Open(ctx, sc, getenv)
	}
	compact := func(ctx context.Context, sc pipeline.SinkConfig, o pipeline.CompactOptions) (pipeline.CompactResult, error) {
		return Compact(ctx, sc, getenv, o)
	}
	expire := func(ctx context.Context, sc pipeline.SinkConfig, o pipeline.ExpireOptions) (pipeline.ExpireResult, error) {
		return Expire(ctx, sc, getenv, o)
	}
	snapshots := func(ctx context.Context, sc pipeline.SinkConfig, table string) ([]pipeline.TableSnapshots, error) {
		return Snapshots(ctx, sc, getenv, table)
	}
	resume := func(ctx context.Context, sc pipeline.SinkConfig, step string) (pipeline.Committed, bool, error) {
		return Resume(ctx, sc, getenv, step)
	}
	return []pipeline.SinkKind{
		{Scheme: "iceberg", Doc: "Apache Iceberg tables, warehouse in a local directory (iceberg:///dir)",
			Options: OptionDocs, Validate: validate, Open: open, Compact: compact, Expire: expire, Snapshots: snapshots, Resume: resume},
		{Scheme: "iceberg+s3", Doc: "Apache Iceberg tables, warehouse in S3 (iceberg+s3://bucket/prefix)",
			Options: OptionDocs, Validate: validate, Open: open, Compact: compact, Expire: expire, Snapshots: snapshots, Resume: resume},
	}
}

// Open opens the sink a SinkConfig describes.
func Open(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string) (*Sink, error) {
	opts, err := ParseOptions(sc.Options, getenv)
	if err != nil {
		return nil, err
	}
	wh, err := ParseURL(sc.URL)
	if err != nil {
		return nil, err
	}
	cat, err := openCatalog(ctx, wh, opts)
	if err != nil {
		return nil, err
	}
	s, err := NewSink(ctx, cat, sc.Tables, sc.RunKey, opts)
	if err != nil {
		return nil, errors.Join(err, cat.Close())
	}
	s.step, s.location, s.ioProps = sc.Step, wh.Location, s3Props(opts)
	return s, nil
}
