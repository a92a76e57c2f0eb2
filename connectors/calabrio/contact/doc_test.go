package contact

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// recordings writes small recordings into dir: WAV-like files for .wav
// names, a few bytes for the other types. It returns their paths.
func recordings(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	var paths []string
	for i, n := range names {
		data := uploadtest.WAV(byte(i), 64+i)
		if !strings.HasSuffix(n, ".wav") {
			data = []byte("\x1aE\xdf\xa3 webm-like " + n)
		}
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// output is what a golden file holds: both tables and the run report.
func output(t *testing.T, res pipeline.Result, out string) map[string]any {
	return map[string]any{
		TableName:          uploadtest.Sorted(lakecheck.Table(t, out, TableName), "source_file", "contact_start", "recording1"),
		RecordingTableName: uploadtest.Sorted(lakecheck.Table(t, out, RecordingTableName), "name"),
		"report":           res.Report,
	}
}

func sha(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The reference's "Full Example" CSV, repaired (testdata/doc_full.csv).
// The verbatim copy (doc_full.verbatim.csv) carries the PDF's artifacts:
// blank lines between rows, spaces after the header's commas, the header
// "metad ata.accountNumber" split by a line wrap, and the values
// "3061184 8" (CallId) and "103585664793220 000" (AssocCallId) split the
// same way. The repaired copy removes the wrap spaces and the blank lines;
// the AgentId "calabrio/bunkowm" (doc error 21: an AD login needs "\") is
// kept, since it is the document's value, not a wrap artifact.
func TestDocFullCSV(t *testing.T) {
	dir := t.TempDir()
	recs := recordings(t, dir, "call1.webmv", "call1.wav", "call2.wav")
	res, out := uploadtest.MustRun(t, Kind(), nil, append([]string{"testdata/doc_full.csv"}, recs...)...)
	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "contact_start")
	if len(rows) != 2 {
		t.Fatalf("got %d contacts, want 2", len(rows))
	}
	r := rows[0]
	if r["recording1"] != "call1.webmv" || r["recording2"] != "call1.wav" || r["recording2_offset_ms"] != int64(5000) {
		t.Errorf("row 1 recordings: %v %v %v", r["recording1"], r["recording2"], r["recording2_offset_ms"])
	}
	if r["contact_start"] != int64(1447100000000) || r["client_time_zone"] != "America/Chicago" {
		t.Errorf("row 1 start/zone: %v %v", r["contact_start"], r["client_time_zone"])
	}
	if m, _ := r["metadata"].(map[string]any); m["accountNumber"] != "1234567890" {
		t.Errorf("row 1 metadata: %v", r["metadata"])
	}
	// The stored copy is where the row says, byte for byte.
	p, _ := r["recording2_path"].(string)
	if got := sha(t, filepath.Join(out, p)); got != sha(t, recs[1]) || got != r["recording2_sha256"] {
		t.Errorf("stored %s: sha256 %s, row says %v, file is %s", p, got, r["recording2_sha256"], sha(t, recs[1]))
	}
	if rows[1]["recording2"] != nil || rows[1]["recording2_offset_ms"] != nil {
		t.Errorf("row 2: empty Recording2 and offset must be null, got %v %v", rows[1]["recording2"], rows[1]["recording2_offset_ms"])
	}
	uploadtest.Golden(t, "testdata/doc_full_csv.golden.json", output(t, res, out), *update)
}

func TestDocFullCSVVerbatimFailsOnBrokenHeader(t *testing.T) {
	dir := t.TempDir()
	recs := recordings(t, dir, "call1.webmv", "call1.wav", "call2.wav")
	_, _, err := uploadtest.Run(t, Kind(), nil, append([]string{"testdata/doc_full.verbatim.csv"}, recs...)...)
	if err == nil || !strings.Contains(err.Error(), `unknown columns "metad ata.accountNumber"`) {
		t.Fatalf("got %v, want the unknown column named", err)
	}
}

// The "Short Example" verbatim: spaces after the header's commas and blank
// lines between rows are read as they are (names are trimmed, blank lines
// skipped), so no repaired copy is needed; rows keep their lines (3, 5).
func TestDocShortCSVVerbatim(t *testing.T) {
	recs := recordings(t, t.TempDir(), "call1.wav", "call2.wav")
	res, out := uploadtest.MustRun(t, Kind(), nil, append([]string{"testdata/doc_short.verbatim.csv"}, recs...)...)
	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "contact_start")
	if len(rows) != 2 || rows[0]["agent_id"] != "2" || rows[0]["agent_id_format"] != "person_id" {
		t.Fatalf("rows: %v", rows)
	}
	uploadtest.Golden(t, "testdata/doc_short_csv.golden.json", output(t, res, out), *update)
}

// Without its recordings, the short example's contacts are rejected: the
// import "will fail to insert" them.
func TestDocShortCSVWithoutRecordings(t *testing.T) {
	res, out, err := uploadtest.Run(t, Kind(), nil, "testdata/doc_short.verbatim.csv")
	if err != nil {
		t.Fatal(err)
	}
	rej := lakecheck.Rejects(t, out, TableName)
	if len(rej) != 2 {
		t.Fatalf("got %d rejects, want 2", len(rej))
	}
	for i, line := range []int64{3, 5} {
		if rej[i].Line != line || rej[i].Column != "Recording1" || rej[i].Reason != errMissing.Error() {
			t.Errorf("reject %d: %+v", i, rej[i])
		}
	}
	st := res.Tables[TableName]
	if st.RowsIn != 2 || st.RowsOut != 0 || st.RowsRejected != 2 {
		t.Errorf("stats %+v", st)
	}
}

// The reference's JSON "Full Example" verbatim is invalid JSON: its Screen
// array lacks the braces of its one object, and the closing brace of
// CustomMetadata is missing (the last "}" follows a page break, kept
// verbatim with the converter's ``` fences). It fails with the position.
func TestDocFullJSONVerbatimIsRejected(t *testing.T) {
	_, _, err := uploadtest.Run(t, Kind(), nil, "testdata/doc_full.verbatim.json")
	if err == nil || !strings.Contains(err.Error(), "doc_full.verbatim.json: record 0: invalid JSON at line 17, column") {
		t.Fatalf("got %v, want invalid JSON at line 17", err)
	}
}

// testdata/doc_full.json repairs the JSON example: braces around the Screen
// entry, the missing closing brace, and no fences.
func TestDocFullJSON(t *testing.T) {
	recs := recordings(t, t.TempDir(), "25.wav", "25.webm")
	res, out := uploadtest.MustRun(t, Kind(), nil, append([]string{"testdata/doc_full.json"}, recs...)...)
	rows := lakecheck.Table(t, out, TableName)
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(rows))
	}
	r := rows[0]
	for col, want := range map[string]any{
		"audio_location": "25.wav", "audio_start": int64(1447075080000), "screen_location": "25.webm",
		"screen_start": int64(1447075075000), "called_address": "1801", "calling_address": "1800",
		"client_time_zone": "Central Standard Time", "direction": int64(1), "agent_id_format": "email",
		"contact_key": "30611848",
	} {
		if r[col] != want {
			t.Errorf("%s = %v, want %v", col, r[col], want)
		}
	}
	uploadtest.Golden(t, "testdata/doc_full_json.golden.json", output(t, res, out), *update)
}

// The doc's ZIP example: batch.zip holding batch.csv (two rows, for call1
// and call2) and the two recordings, here inside a folder to show that
// folders are flattened.
func TestDocZip(t *testing.T) {
	dir := t.TempDir()
	csv, err := os.ReadFile("testdata/doc_short.csv")
	if err != nil {
		t.Fatal(err)
	}
	zip := uploadtest.Zip(t, filepath.Join(dir, "batch.zip"),
		uploadtest.Member{Name: "batch.csv", Data: csv},
		uploadtest.Member{Name: "recordings/call1.wav", Data: uploadtest.WAV(1, 100)},
		uploadtest.Member{Name: "recordings/call2.wav", Data: uploadtest.WAV(2, 200)})
	res, out := uploadtest.MustRun(t, Kind(), nil, zip)
	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "contact_start")
	if len(rows) != 2 || rows[0]["source_file"] != "batch.zip!batch.csv" {
		t.Fatalf("rows: %v", rows)
	}
	key := pipeline.RunKey(KindName, []string{zip})
	if p := rows[1]["recording1_path"].(string); p != "media/"+key+"/call2.wav" || rows[1]["upload_id"] != key {
		t.Errorf("stored path %s, upload_id %v: want the base name under media/%s", p, rows[1]["upload_id"], key)
	}
	recs := uploadtest.Sorted(lakecheck.Table(t, out, RecordingTableName), "name")
	if len(recs) != 2 || recs[0]["source_file"] != "batch.zip!recordings/call1.wav" || recs[0]["referenced"] != true {
		t.Errorf("recordings: %v", recs)
	}
	uploadtest.Golden(t, "testdata/doc_zip.golden.json", output(t, res, out), *update)
}
