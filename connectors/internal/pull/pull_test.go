package pull

import (
	"context"
	"errors"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

func TestNext(t *testing.T) {
	var queue []pipeline.Batch
	done, steps := false, 0
	step := func(context.Context) error {
		steps++
		switch steps {
		case 1: // a step may queue nothing
		case 2:
			queue = append(queue, pipeline.Batch{Input: "a"}, pipeline.Batch{Input: "b"})
		default:
			done = true
		}
		return nil
	}
	ctx := context.Background()
	var got []string
	for {
		b, err := Next(ctx, "k", &queue, &done, step)
		if errors.Is(err, pipeline.ErrEndOfInput) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b.Input)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "b" || steps != 3 {
		t.Fatalf("got %v after %d steps", got, steps)
	}
	fail := func(context.Context) error { return errors.New("boom") }
	done = false
	if _, err := Next(ctx, "k", &queue, &done, fail); err == nil || err.Error() != "kind k: boom" {
		t.Errorf("err = %v", err)
	}
	if _, err := Next(ctx, "", &queue, &done, fail); err == nil || err.Error() != "boom" {
		t.Errorf("err = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Next(cctx, "k", &queue, &done, fail); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}
