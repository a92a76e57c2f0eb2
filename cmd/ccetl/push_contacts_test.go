package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// TestPushContactsWithRecordings pushes the reference's bulk contact
// example (two contacts and their WAV files) into Calabrio: the tenant
// holds both with the very recordings, and a rerun imports nothing twice.
func TestPushContactsWithRecordings(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	dir := t.TempDir()
	samples := filepath.Join(repoRoot(t), "configs/samples/contacts")
	job := filepath.Join(dir, "contacts-push.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: contacts-push
source: {kind: bulk-contact, inputs: [%s]}
target:
  kind: calabrio-contact-import
  options: {base_url: %s, username: %s, password: %s, rate_limit: 10000/1s}
sink: {url: %s/out}
`, samples, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	got := e.ImportedContacts()
	if len(got) != 2 {
		t.Fatalf("%d contacts imported, want 2", len(got))
	}
	for _, c := range got {
		name := c.Cells["Recording1"]
		data, err := os.ReadFile(filepath.Join(samples, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if c.Recordings[name] != hex.EncodeToString(sum[:]) || c.Cells["AgentId"] != "2" || !strings.HasPrefix(c.Cells["ContactStartTimeMs"], "14471") {
			t.Errorf("contact %+v", c)
		}
	}
	code, stdout, stderr := call(t, "run", job)
	if code != exitOK || !strings.Contains(stdout, "2 skipped") {
		t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
	}
	if n := len(e.ImportedContacts()); n != 2 || e.Stats().Routes["POST upload/contacts"] != 1 {
		t.Fatalf("the rerun imported again: %d contacts, %d uploads", n, e.Stats().Routes["POST upload/contacts"])
	}
}
