package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// holdUpload returns an emulator hook that holds the nth upload for a
// moment (the client dies while it is in flight; the emulator then takes
// it) and a channel told when that upload arrives.
func holdUpload(nth int32) (func(*http.Request), <-chan struct{}) {
	var n atomic.Int32
	arrived := make(chan struct{}, 1)
	return func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/upload/") && n.Add(1) == nth {
			arrived <- struct{}{}
			time.Sleep(300 * time.Millisecond)
		}
	}, arrived
}

// killDuringUpload runs `ccetl run job` as a child process, kills it with
// SIGKILL when the held upload arrives, and waits for the upload to land.
func killDuringUpload(t *testing.T, job string, arrived <-chan struct{}) {
	t.Helper()
	cmd := ccetlCommand(t, "run", job)
	signalDuringUpload(t, cmd, arrived, syscall.SIGKILL)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the push was not killed: %v", cmd.ProcessState)
	}
}

// signalDuringUpload starts cmd, sends it sig when the held upload
// arrives, and waits for it to end and for the upload to land.
func signalDuringUpload(t *testing.T, cmd *exec.Cmd, arrived <-chan struct{}, sig os.Signal) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	awaitOrKill(t, cmd, arrived, "the held upload never arrived")
	cmd.Process.Signal(sig)
	cmd.Wait()
	time.Sleep(400 * time.Millisecond) // the held upload lands
}

// awaitOrKill waits for c, or kills cmd and fails saying what.
func awaitOrKill(t *testing.T, cmd *exec.Cmd, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal(what)
	}
}

// TestPushOrgKilledMidwayResumes kills a push with SIGKILL while an upload
// is in flight, then runs it again: the tenant ends as a push that was never
// killed leaves it, with nothing twice.
func TestPushOrgKilledMidwayResumes(t *testing.T) {
	hook, arrived := holdUpload(3)
	e := orgTenant(t, calabriotest.Options{OnRequest: hook})
	dir := t.TempDir()
	job := orgPushJob(t, dir, e.URL)
	killDuringUpload(t, job, arrived)
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

// TestPushContactsKilledMidwayImportsNothingTwice kills a contact push
// while its second upload is in flight (the tenant imports it anyway):
// the rerun sends the batches not begun, skips the one in flight, and the
// tenant ends with every contact exactly once.
func TestPushContactsKilledMidwayImportsNothingTwice(t *testing.T) {
	hook, arrived := holdUpload(2)
	e := calabriotest.New(t, calabriotest.Options{OnRequest: hook})
	dir, in := t.TempDir(), t.TempDir()
	var csv strings.Builder
	csv.WriteString("AgentId,ContactStartTimeMs,CallId,Recording1\n")
	for i := range 6 {
		fmt.Fprintf(&csv, "2,%d,call-%d,rec%d.wav\n", 1447100000000+int64(i)*60000, i, i)
		os.WriteFile(filepath.Join(in, fmt.Sprintf("rec%d.wav", i)), []byte(fmt.Sprint("RIFF", i)), 0o644)
	}
	os.WriteFile(filepath.Join(in, "batch.csv"), []byte(csv.String()), 0o644)
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: contacts-kill
source: {kind: bulk-contact, inputs: [%s]}
target:
  kind: calabrio-contact-import
  options: {base_url: %s, username: %s, password: %s, rate_limit: 10000/1s, batch_contacts: "2"}
sink: {url: %s/out}
`, in, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)), 0o644)
	killDuringUpload(t, job, arrived)
	code, stdout, stderr := call(t, "run", job)
	// batch 1 acknowledged, batch 2 in flight when killed: both skipped; batch 3 sent
	if code != exitOK || !strings.Contains(stdout, "2 sent 4 skipped") {
		t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
	}
	seen := map[string]int{}
	for _, c := range e.ImportedContacts() {
		seen[c.Cells["CallId"]]++
	}
	for i := range 6 {
		if n := seen[fmt.Sprint("call-", i)]; n != 1 {
			t.Errorf("call-%d imported %d times", i, n)
		}
	}
}

// TestPushIntervalsKilledMidwayResumes: a WHIT push killed during an
// upload resends the batch that was in flight (an interval sent again
// replaces itself) and ends with every interval on the tenant, planned
// whole or streamed in windows (one a day here).
func TestPushIntervalsKilledMidwayResumes(t *testing.T) {
	for _, window := range []string{"all", "1000"} {
		t.Run("window "+window, func(t *testing.T) {
			hook, arrived := holdUpload(2)
			e := calabriotest.New(t, calabriotest.Options{OnRequest: hook})
			dir := t.TempDir()
			input := filepath.Join(dir, "whit.csv")
			days := writeIntervals(t, input, 50*48*3)
			job := intervalPushJob(t, filepath.Join(dir, "whit-kill.yaml"), input, e.URL, "1", "10000/1s", dir+"/out", "window: "+window)
			killDuringUpload(t, job, arrived)
			before := e.Stats().Routes["POST upload/historical"]
			if code, stdout, stderr := call(t, "run", job); code != exitOK {
				t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
			}
			if n := len(e.Intervals()); n != 50*48*days {
				t.Fatalf("%d intervals on the tenant, want %d", n, 50*48*days)
			}
			// the rerun sends the day in flight and those after, and the
			// first day again only if its record was still being written
			if n := e.Stats().Routes["POST upload/historical"] - before; n < days-1 || n > days {
				t.Fatalf("the rerun made %d uploads for %d days killed during the second", n, days)
			}
		})
	}
}

// TestPushTextKilledMidwayImportsNothingTwice kills a text push while its
// second upload is in flight (the tenant imports it anyway). On the rerun
// the contact of that batch that has an id is sent again (the tenant skips
// an id it has seen), the one without is skipped, and the tenant ends with
// every text contact exactly once.
func TestPushTextKilledMidwayImportsNothingTwice(t *testing.T) {
	hook, arrived := holdUpload(2)
	e := calabriotest.New(t, calabriotest.Options{OnRequest: hook})
	dir, in := t.TempDir(), t.TempDir()
	ids := []string{"a", "b", "c", "", "", "f"} // batches of two: [a b] [c -] [- f]
	var csv strings.Builder
	csv.WriteString("textType,filename,time,username,id\n")
	for i, id := range ids {
		fmt.Fprintf(&csv, "chat,chat%d.txt,%d,agent1@calabrio.com,%s\n", i, 1439993633000+int64(i)*60000, id)
		os.WriteFile(filepath.Join(in, fmt.Sprintf("chat%d.txt", i)), []byte(fmt.Sprint("hello ", i)), 0o644)
	}
	os.WriteFile(filepath.Join(in, "chats.csv"), []byte(csv.String()), 0o644)
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: text-kill
source: {kind: text-contact, inputs: [%s]}
target:
  kind: calabrio-text-import
  options: {base_url: %s, username: %s, password: %s, rate_limit: 10000/1s, batch_contacts: "2"}
sink: {url: %s/out}
`, in, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)), 0o644)
	killDuringUpload(t, job, arrived)
	code, stdout, stderr := call(t, "run", job)
	// a b acknowledged: skipped; c sent again, the one without an id skipped;
	// the last batch sent
	if code != exitOK || !strings.Contains(stdout, "3 sent 3 skipped") {
		t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
	}
	seen := map[string]int{}
	for _, c := range e.ImportedTexts() {
		seen[c.Cells["filename"]]++
	}
	for i := range ids {
		if n := seen[fmt.Sprintf("chat%d.txt", i)]; n != 1 {
			t.Errorf("chat%d.txt imported %d times", i, n)
		}
	}
}
