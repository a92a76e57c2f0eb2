package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ccetl/ccetl/jobs"
)

// Exit codes, for cron and Kubernetes.
const (
	exitOK       = 0   // everything written
	exitFailed   = 1   // the run failed; nothing of the failed step was committed
	exitConfig   = 2   // bad command line or job file
	exitRejects  = 3   // finished and committed, with rejected rows (see _rejects/)
	exitCanceled = 130 // interrupted (SIGINT/SIGTERM); nothing of the step was committed (a push records what it sent)
)

// usageError marks a bad command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errRejected is returned when a run committed but rejected rows.
var errRejected = errors.New("finished with rejected rows")

// report prints err and maps it to an exit code.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ce *jobs.ConfigError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errRejected):
		return exitRejects
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "ccetl: cancelled; nothing of the interrupted step was committed (a push records the batches it sent, and push_results: run it again to send the rest)")
		return exitCanceled
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "ccetl:", err)
		fmt.Fprintln(stderr, "run 'ccetl help' for usage")
		return exitConfig
	case errors.As(err, &ce):
		fmt.Fprintln(stderr, err)
		return exitConfig
	case jobs.IsLeaseHeld(err):
		fmt.Fprintln(stderr, "ccetl:", err)
		return exitFailed
	}
	fmt.Fprintln(stderr, "ccetl:", err)
	return exitFailed
}
