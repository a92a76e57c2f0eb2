package contactimport

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

// media writes a recording under dir/media and returns its path and sum.
func media(t *testing.T, dir, name, content string) (string, string) {
	p := filepath.Join(dir, "media", name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	return "media/" + name, hex.EncodeToString(sum[:])
}

func contact(t *testing.T, dir, origin, agent string, start int64, rec string) pipeline.Record {
	p, sum := media(t, dir, rec, "RIFF"+rec)
	return pipeline.Record{Entity: "contacts", Origin: origin, Values: map[string]any{
		"agent_id": agent, "contact_start": time.UnixMilli(start).UTC(), "recording1": rec,
		"recording1_path": p, "recording1_sha256": sum, "direction": int64(1),
		"metadata": map[string]string{"accountNumber": fmt.Sprint(start % 1000)},
	}}
}

func emuOptions(e *calabriotest.Emulator) map[string]string {
	return map[string]string{"base_url": e.URL, "username": calabriotest.DefaultUsername, "password": calabriotest.DefaultPassword,
		"rate_limit": "10000/1s", "retry_delay": "1ms", "batch_contacts": "2"}
}

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	files := func(rel string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(rel))) }
	bad := contact(t, dir, "c.csv:9", "2", 1447100900000, "x.mp3")
	twoAudio := contact(t, dir, "c.csv:10", "2", 1447101000000, "y.wav")
	twoAudio.Values["recording2"], twoAudio.Values["recording2_path"] = "y2.wav", "media/y.wav"
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := calabriotest.New(t, calabriotest.Options{})
			return pushtest.Env{Options: emuOptions(e), Files: files,
				Writes: func() int { return e.Stats().Routes["POST upload/contacts"] },
				State:  func() any { return e.ImportedContacts() }}
		},
		Records: []pipeline.Record{
			contact(t, dir, "c.csv:2", "2", 1447100000000, "call1.wav"),
			contact(t, dir, "c.csv:3", `ACME\ann`, 1447100100000, "call2.wav"),
			contact(t, dir, "c.csv:4", "ann@example.com", 1447100200000, "call3.webm"),
			contact(t, dir, "c.csv:5", "2", 1447100300000, "call4.spx"),
			contact(t, dir, "c.csv:6", "2", 1447100400000, "call5.wav"),
		},
		Invalid: []pushtest.Invalid{
			{Record: bad, Reason: "not a documented media type"},
			{Record: twoAudio, Reason: "only a single audio file per contact"},
			{Record: contact(t, dir, "c.csv:11", "ann", 1447101100000, "z.wav"), Reason: "field agent_id: not a person id"},
		},
	})
}

// TestDropFolder writes the Data Server form: recordings, then a
// CONTACT.-prefixed CSV per batch, nothing half written, no API needed.
func TestDropFolder(t *testing.T) {
	dir, drop := t.TempDir(), t.TempDir()
	files := func(rel string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(rel))) }
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: map[string]string{"mode": "drop", "drop_dir": drop, "batch_contacts": "2"}, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	recs := []pipeline.Record{contact(t, dir, "c:2", "2", 1447100000000, "a.wav"), contact(t, dir, "c:3", "2", 1447100100000, "b.wav"),
		contact(t, dir, "c:4", "2", 1447100200000, "c.wav")}
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Apply(t.Context(), p, &pushtest.Journal{Ledger: led, Plan: p}); err != nil {
		t.Fatal(err)
	}
	csvs, _ := filepath.Glob(filepath.Join(drop, "CONTACT.*.csv"))
	wavs, _ := filepath.Glob(filepath.Join(drop, "*.wav"))
	hidden, _ := filepath.Glob(filepath.Join(drop, ".*"))
	if len(csvs) != 2 || len(wavs) != 3 || len(hidden) != 0 {
		t.Fatalf("drop folder: %v %v %v", csvs, wavs, hidden)
	}
	data, _ := os.ReadFile(csvs[0])
	if !strings.HasPrefix(string(data), "AgentId,ContactStartTimeMs,Direction,Recording1,metadata.accountNumber\n") {
		t.Fatalf("CSV %s", data)
	}
	if _, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: map[string]string{"mode": "drop"}, Files: files}); err == nil ||
		!strings.Contains(err.Error(), "mode drop needs drop_dir") {
		t.Fatalf("drop without a folder: %v", err)
	}
}
