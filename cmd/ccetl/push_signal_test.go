package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// A push stopped by SIGTERM while an upload is in flight exits 130 and
// keeps what it did: the batches the tenant acknowledged are in the job's
// ledger and push_results has one row per change (the acknowledged ones
// sent, the rest failed as not sent), in a local lake and in S3, whose
// writes honour the stopped context, and streamed in windows of a day. A
// rerun sends only the rest.
func TestPushStoppedBySignalKeepsItsRecord(t *testing.T) {
	for _, tc := range []struct{ where, window string }{{"local", "all"}, {"s3", "all"}, {"local", "1000"}} {
		where := tc.where
		t.Run(where+" window "+tc.window, func(t *testing.T) {
			dir := t.TempDir()
			sink := filepath.Join(dir, "out")
			if where == "s3" {
				sink = fmt.Sprintf("s3://%s/signal-%d", s3Env(t), time.Now().UnixNano())
			}
			hook, arrived := holdUpload(2)
			e := calabriotest.New(t, calabriotest.Options{OnRequest: hook})
			input := filepath.Join(dir, "whit.csv")
			days := writeIntervals(t, input, 3*2400) // three days: three uploads
			job := intervalPushJob(t, filepath.Join(dir, "whit-signal.yaml"), input, e.URL, "4", "10000/1s", sink, "window: "+tc.window)

			cmd := ccetlCommand(t, "run", job)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			signalDuringUpload(t, cmd, arrived, syscall.SIGTERM)
			if code := cmd.ProcessState.ExitCode(); code != exitCanceled || !strings.Contains(stderr.String(), "a push records the batches it sent") {
				t.Fatalf("exit %d, want %d:\n%s", code, exitCanceled, stderr.String())
			}

			results := sink
			if where == "s3" {
				results = downloadPushResults(t, sink)
			}
			if st := pushStatuses(t, results); st["sent"] != 2400 || st["failed"] != 2*2400 || len(st) != 2 {
				t.Fatalf("push_results of the stopped push: %v, want the first day sent, the other two failed", st)
			}
			before := e.Stats().Routes["POST upload/historical"]
			if code, stdout, stderr := call(t, "run", job); code != exitOK || !strings.Contains(stdout, "2400 skipped") {
				t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
			}
			if n := e.Stats().Routes["POST upload/historical"] - before; n != days-1 {
				t.Fatalf("the rerun made %d uploads, want %d (the acknowledged day is not sent again)", n, days-1)
			}
			if n := len(e.Intervals()); n != 3*2400 {
				t.Fatalf("%d intervals on the tenant, want %d", n, 3*2400)
			}
		})
	}
}

// downloadPushResults copies the push_results objects under an s3:// sink
// into a folder, for pushStatuses.
func downloadPushResults(t *testing.T, url string) string {
	t.Helper()
	store := s3Store(t, url)
	objs, err := store.List(context.Background(), "push_results/")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, o := range objs {
		if strings.HasSuffix(o.Key, ".parquet") {
			s3Download(t, store, o.Key, filepath.Join(dir, filepath.FromSlash(o.Key)))
		}
	}
	return dir
}

// After the first signal ccetl stops gracefully, which may wait (here, on
// a tenant slow to log out); a second signal ends the process at once.
func TestSecondSignalQuitsAtOnce(t *testing.T) {
	upload, uploaded := holdUpload(1)
	loggingOut, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	e := calabriotest.New(t, calabriotest.Options{OnRequest: func(r *http.Request) {
		upload(r)
		if r.Method == http.MethodDelete && r.URL.Path == "/api/rest/authorize" {
			loggingOut <- struct{}{}
			select { // the logout hangs until the test is done
			case <-release:
			case <-time.After(30 * time.Second):
			}
		}
	}})
	dir := t.TempDir()
	input := filepath.Join(dir, "whit.csv")
	writeIntervals(t, input, 2*2400)
	job := intervalPushJob(t, filepath.Join(dir, "whit-signals.yaml"), input, e.URL, "5", "10000/1s", dir+"/out")
	cmd := ccetlCommand(t, "run", job)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	awaitOrKill(t, cmd, uploaded, "the held upload never arrived")
	cmd.Process.Signal(syscall.SIGTERM)
	awaitOrKill(t, cmd, loggingOut, "the stopped push never logged out")
	select {
	case <-exited:
		t.Fatalf("the push ended (%v) while its logout hung", cmd.ProcessState)
	case <-time.After(200 * time.Millisecond):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	awaitOrKill(t, cmd, exited, "a second signal did not end the process")
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("the process ended with %v, want killed by the second SIGTERM", cmd.ProcessState)
	}
}
