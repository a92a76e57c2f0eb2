package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/s3"
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

// TestPushTextContacts pushes the reference's multi-file text example
// (three contacts, their TXT bodies) into Calabrio; a rerun imports nothing.
func TestPushTextContacts(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	dir := t.TempDir()
	samples := filepath.Join(repoRoot(t), "configs/samples/textcontacts")
	job := filepath.Join(dir, "text-push.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: text-push
source: {kind: text-contact, inputs: [%s]}
target:
  kind: calabrio-text-import
  options: {base_url: %s, username: %s, password: %s, rate_limit: 10000/1s}
sink: {url: %s/out}
`, samples, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, dir)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	got := e.ImportedTexts()
	if len(got) != 3 {
		t.Fatalf("%d text contacts, want 3", len(got))
	}
	for _, c := range got {
		data, err := os.ReadFile(filepath.Join(samples, c.Cells["filename"]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(bytes.TrimPrefix(data, []byte("\ufeff"))) // the body as read: a byte order mark dropped
		if c.BodySHA256 != hex.EncodeToString(sum[:]) || c.Cells["username"] != "agent1@calabrio.com" {
			t.Errorf("text contact %+v", c)
		}
	}
	if c := got[0]; c.Cells["receiver"] != "agent1@calabrio.com" || c.Cells["metadata"] != "accNum=123|ssn=234" || c.Cells["references"] != "ref1|ref2" {
		t.Errorf("first contact's cells %v", c.Cells)
	}
	if code, stdout, stderr := call(t, "run", job); code != exitOK || !strings.Contains(stdout, "3 skipped") {
		t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
	}
	if n := len(e.ImportedTexts()); n != 3 {
		t.Fatalf("%d text contacts after the rerun", n)
	}
}

// TestDropContactsOnS3 writes the Data Server drop form into an S3 prefix:
// the recordings and one CONTACT. CSV, and a rerun writes nothing.
func TestDropContactsOnS3(t *testing.T) {
	bucket := s3Env(t)
	prefix := fmt.Sprintf("s3://%s/drop-%d", bucket, time.Now().UnixNano())
	dir := t.TempDir()
	samples := filepath.Join(repoRoot(t), "configs/samples/contacts")
	job := filepath.Join(dir, "drop.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: contacts-drop
source: {kind: bulk-contact, inputs: [%s]}
target:
  kind: calabrio-contact-import
  options: {mode: drop, drop_dir: "%s"}
sink: {url: %s/out}
`, samples, prefix, dir)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	objs, err := s3.NewRemote(os.Getenv).List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, path.Base(o.URL))
	}
	slices.Sort(names)
	if len(names) != 3 || !strings.HasPrefix(names[0], "CONTACT.ccetl-") || names[1] != "call1.wav" || names[2] != "call2.wav" {
		t.Fatalf("objects %v", names)
	}
	if code, stdout, _ := call(t, "run", job); code != exitOK || !strings.Contains(stdout, "2 skipped") {
		t.Fatalf("rerun: %s", stdout)
	}
}

// TestPushContactsFromALake pushes contacts read back from a lake (the
// parquet kind), their recordings taken from the lake's media/ files.
func TestPushContactsFromALake(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	samples := filepath.Join(repoRoot(t), "configs/samples/contacts")
	if code, _, stderr := call(t, "convert", "--kind", "bulk-contact", "--out", lake, samples); code != exitOK {
		t.Fatal(stderr)
	}
	job := filepath.Join(dir, "from-lake.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: contacts-from-lake
source: {kind: parquet, inputs: [%s/cal_contact_import_row]}
target:
  kind: calabrio-contact-import
  options: {base_url: %s, username: %s, password: %s, rate_limit: 10000/1s, media_root: %s}
sink: {url: %s/out}
`, lake, e.URL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, lake, dir)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	got := e.ImportedContacts()
	if len(got) != 2 {
		t.Fatalf("%d contacts", len(got))
	}
	for _, c := range got {
		data, _ := os.ReadFile(filepath.Join(samples, c.Cells["Recording1"]))
		sum := sha256.Sum256(data)
		if c.Recordings[c.Cells["Recording1"]] != hex.EncodeToString(sum[:]) {
			t.Errorf("contact %+v: not the recording of the lake", c)
		}
	}
}
