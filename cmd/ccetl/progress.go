package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/ccetl/ccetl/pipeline"
)

// progressFor returns a progress reporter that redraws one line on a
// terminal twice a second, or nil when w is not a terminal (cron, CI, pipes).
func progressFor(w io.Writer) func(string, *pipeline.Counters) func() {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(step string, c *pipeline.Counters) func() {
		start := time.Now()
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		draw := func() {
			secs := time.Since(start).Seconds()
			mb := float64(c.BytesRead.Load()) / 1e6
			fmt.Fprintf(w, "\r%s: %.1f MB, %d rows in, %d out, %d rejected, %.1f MB/s   ",
				step, mb, c.RowsIn.Load(), c.RowsOut.Load(), c.RowsRejected.Load(), mb/max(secs, 1e-9))
		}
		go func() {
			defer wg.Done()
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					draw()
				}
			}
		}()
		return func() {
			close(done)
			wg.Wait()
			draw()
			fmt.Fprintln(w)
		}
	}
}
