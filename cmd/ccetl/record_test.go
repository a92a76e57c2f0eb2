package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/jobs"
)

// A run that panics (a bug) is recorded as failed with the panic as its
// error, and the caller goes on.
func TestRecordedRunThatPanics(t *testing.T) {
	e := &env{getenv: func(string) string { return "" }}
	job := &jobs.Job{Name: "panics", Sink: jobs.SinkSpec{URL: filepath.Join(t.TempDir(), "out")}}
	var logs bytes.Buffer
	_, rep, err := e.recorded(context.Background(), job, runMeta{trigger: "manual"}, slog.New(slog.NewJSONHandler(&logs, nil)),
		func(string) (jobs.Summary, error) { panic("index out of range") })
	if err == nil || !strings.Contains(err.Error(), "panicked") || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("error %v, want the panic", err)
	}
	if rep.Outcome != jobs.OutcomeFailed || !strings.Contains(rep.Error, "index out of range") {
		t.Fatalf("report %+v", rep)
	}
	reps, err := (jobs.History{Open: jobs.OpenLocalState}).List(context.Background(), job, 10)
	if err != nil || len(reps) != 1 || reps[0].RunID != rep.RunID {
		t.Fatalf("history %+v, %v; want the failed run", reps, err)
	}
	if !strings.Contains(logs.String(), "goroutine") { // the stack, for the bug report
		t.Errorf("no stack logged: %s", logs.String())
	}
}

// A size too large for 64 bits is refused, not wrapped around.
func TestParseSizeRefusesOverflow(t *testing.T) {
	if n, err := parseSize("128MB"); err != nil || n != 128<<20 {
		t.Errorf("128MB: %d, %v", n, err)
	}
	if n, err := parseSize("9007199254740993GB"); err == nil {
		t.Errorf("a size past 64 bits gave %d", n)
	}
}
