// Package pull is the Next loop the API sources share: a source keeps
// finished batches in a queue, and a step function makes one request's worth
// of progress, queueing batches and setting done at the end.
package pull

import (
	"context"
	"fmt"

	"github.com/ccetl/ccetl/pipeline"
)

// Next returns the first queued batch, calling step until one is queued or
// done is set (then ErrEndOfInput). A step error is returned wrapped with
// "kind <kind>: " unless kind is empty.
func Next(ctx context.Context, kind string, queue *[]pipeline.Batch, done *bool, step func(context.Context) error) (pipeline.Batch, error) {
	for len(*queue) == 0 {
		if *done {
			return pipeline.Batch{}, pipeline.ErrEndOfInput
		}
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		if err := step(ctx); err != nil {
			if kind == "" {
				return pipeline.Batch{}, err
			}
			return pipeline.Batch{}, fmt.Errorf("kind %s: %w", kind, err)
		}
	}
	b := (*queue)[0]
	*queue = (*queue)[1:]
	return b, nil
}
