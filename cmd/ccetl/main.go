// Command ccetl converts and moves contact-center quality, coaching and
// workforce data: vendor files and API exports in, typed Parquet out.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	_ "time/tzdata" // tenant time zones resolve on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var done atomic.Bool
	go func() {
		<-ctx.Done()
		if !done.Load() {
			fmt.Fprintln(os.Stderr, "ccetl: stopping: what is done is kept (interrupt again to quit at once)")
		}
		stop() // the next signal ends the process at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	done.Store(true)
	stop()
	os.Exit(report(err, os.Stderr))
}
