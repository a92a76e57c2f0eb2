package iceberg

import (
	"context"

	"github.com/ccetl/ccetl/pipeline"
)

// CompactBeforeCommit is Compact calling hook before each commit attempt,
// once the new files are written: tests commit other writers there.
func CompactBeforeCommit(ctx context.Context, sc pipeline.SinkConfig, opts pipeline.CompactOptions, hook func(table string, attempt int)) (pipeline.CompactResult, error) {
	return compact(ctx, sc, nil, opts, hook)
}
