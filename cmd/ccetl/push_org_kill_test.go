package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// TestPushOrgKilledMidwayResumes kills a push with SIGKILL while an upload
// is in flight, then runs it again: the tenant ends as a push that was never
// killed leaves it, with nothing twice.
func TestPushOrgKilledMidwayResumes(t *testing.T) {
	var n atomic.Int32
	arrived := make(chan struct{}, 1)
	e := orgTenant(t, calabriotest.Options{OnRequest: func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/upload/") && n.Add(1) == 3 {
			arrived <- struct{}{}
			time.Sleep(300 * time.Millisecond) // the client dies while this upload is in flight
		}
	}})
	dir := t.TempDir()
	job := orgPushJob(t, dir, e.URL)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "run", job)
	cmd.Env = append(os.Environ(), "CCETL_TEST_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the third upload never arrived")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the push was not killed: %v", cmd.ProcessState)
	}
	time.Sleep(400 * time.Millisecond) // let the in-flight upload land
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("rerun after the kill: exit %d: %s\n%s", code, stderr, stdout)
	}
	ref := orgTenant(t, calabriotest.Options{})
	if code, _, stderr := call(t, "run", orgPushJob(t, t.TempDir(), ref.URL)); code != exitOK {
		t.Fatalf("reference push: %s", stderr)
	}
	got, want := e.Org(), ref.Org()
	if fmt.Sprint(got.Groups, got.Teams) != fmt.Sprint(want.Groups, want.Teams) || len(got.Persons) != len(want.Persons) {
		t.Fatalf("after kill and resume:\n%+v\nwant\n%+v", got, want)
	}
	for i := range got.Persons {
		if fmt.Sprint(got.Persons[i].Fields) != fmt.Sprint(want.Persons[i].Fields) {
			t.Errorf("person %d: %v, want %v", i, got.Persons[i].Fields, want.Persons[i].Fields)
		}
	}
}
