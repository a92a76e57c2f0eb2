package contact

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

const oneRow = "AgentId,ContactStartTimeMs,Recording1\n2,1447100000000,x.wav\n"

// lyingZip writes a ZIP whose one recording, x.wav, declares 100 bytes in
// the central directory but inflates to 4 MiB.
func lyingZip(t *testing.T, path string) string {
	uploadtest.Zip(t, path, uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
		uploadtest.Member{Name: "x.wav", Data: make([]byte, 4<<20)})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Central directory headers: signature PK\1\2, the uncompressed size
	// at offset 24, the name at offset 46.
	for i := bytes.Index(b, []byte("PK\x01\x02")); i >= 0; {
		if string(b[i+46:i+51]) == "x.wav" {
			binary.LittleEndian.PutUint32(b[i+24:], 100)
		}
		j := bytes.Index(b[i+4:], []byte("PK\x01\x02"))
		if j < 0 {
			break
		}
		i += 4 + j
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Hostile archives fail the run with an error naming the problem, or are
// read by base name only.
func TestHostileArchives(t *testing.T) {
	wav := uploadtest.WAV(1, 50)
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, dir string) []string
		opts  map[string]string
		err   string // "" for a run that succeeds
	}{
		{"duplicate base names in one archive", func(t *testing.T, dir string) []string {
			return []string{uploadtest.Zip(t, filepath.Join(dir, "a.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "a/x.wav", Data: wav}, uploadtest.Member{Name: "b/x.wav", Data: wav})}
		}, nil, "have the same base name x.wav"},
		{"duplicate base names across inputs", func(t *testing.T, dir string) []string {
			z := uploadtest.Zip(t, filepath.Join(dir, "a.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "in/x.wav", Data: wav})
			return []string{z, lakecheck.WriteFile(t, dir, "x.wav", string(wav))}
		}, nil, "more than one file named x.wav"},
		{"member over the size limit", func(t *testing.T, dir string) []string {
			return []string{uploadtest.Zip(t, filepath.Join(dir, "bomb.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "x.wav", Data: make([]byte, 2<<20)})}
		}, map[string]string{"max_member_bytes": "1048576"}, "is 2097152 bytes uncompressed, over the limit of 1048576"},
		{"member lying about its size", func(t *testing.T, dir string) []string {
			return []string{lyingZip(t, filepath.Join(dir, "liar.zip"))}
		}, map[string]string{"max_member_bytes": "1048576"}, "liar.zip!x.wav"},
		{"no metadata file", func(t *testing.T, dir string) []string {
			return []string{uploadtest.Zip(t, filepath.Join(dir, "a.zip"), uploadtest.Member{Name: "x.wav", Data: wav})}
		}, nil, "no CSV or JSON metadata file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := uploadtest.Run(t, Kind(), tc.opts, tc.build(t, t.TempDir())...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

// A member named ../../x.wav is only ever used by its base name: the row
// references x.wav, and the copy lands inside the output as media/<run>/x.wav.
func TestTraversalMemberUsedByBaseName(t *testing.T) {
	dir := t.TempDir()
	z := uploadtest.Zip(t, filepath.Join(dir, "in", "evil.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
		uploadtest.Member{Name: "../../x.wav", Data: uploadtest.WAV(3, 10)},
		uploadtest.Member{Name: "/abs/y.wav", Data: uploadtest.WAV(4, 10)})
	res, out := uploadtest.MustRun(t, Kind(), nil, z)
	rows := lakecheck.Table(t, out, TableName)
	if len(rows) != 1 {
		t.Fatalf("rows: %v", rows)
	}
	p := rows[0]["recording1_path"].(string)
	if !strings.HasPrefix(p, "media/") || !strings.HasSuffix(p, "/x.wav") || strings.Contains(p, "..") {
		t.Errorf("stored path %q", p)
	}
	if _, err := os.Stat(filepath.Join(out, p)); err != nil {
		t.Errorf("stored copy: %v", err)
	}
	for _, escaped := range []string{filepath.Join(out, "..", "x.wav"), filepath.Join(dir, "x.wav"), filepath.Join(out, "..", "..", "x.wav")} {
		if _, err := os.Stat(escaped); err == nil {
			t.Errorf("%s exists: a member escaped", escaped)
		}
	}
	recs := uploadtest.Sorted(lakecheck.Table(t, out, RecordingTableName), "name")
	if len(recs) != 2 || recs[0]["source_file"] != "evil.zip!../../x.wav" || recs[1]["name"] != "y.wav" || recs[1]["referenced"] != false {
		t.Errorf("recordings: %v", recs)
	}
	if got := res.Report["unreferenced_recordings"]; len(got.([]string)) != 1 || got.([]string)[0] != "evil.zip!/abs/y.wav" {
		t.Errorf("report: %v", res.Report)
	}
}

func TestOptions(t *testing.T) {
	if _, err := ParseOptions(map[string]string{"max_member_bytes": "-1"}); err == nil || !strings.Contains(err.Error(), "max_member_bytes") {
		t.Errorf("negative max_member_bytes: %v", err)
	}
	if o, err := ParseOptions(map[string]string{"max_member_bytes": "1000"}); err != nil || o.MaxMemberBytes != 1000 {
		t.Errorf("got %+v, %v", o, err)
	}
}

// The column constants must match the schema.
func TestSchemaPositions(t *testing.T) {
	for pos, name := range map[int]string{cUploadID: "upload_id", cSourceFile: "source_file", cDirection: "direction", cRecording1: "recording1",
		cRecording1 + 3: "recording1_sha256", cRecording2: "recording2", cRecording2Offset: "recording2_offset_ms",
		cAudioLocation: "audio_location", cAudioLocation + 1: "audio_path", cAudioStart: "audio_start",
		cScreenLocation: "screen_location", cScreenStart: "screen_start", cMetadata: "metadata"} {
		if got := Table.Schema.Field(pos).Name; got != name {
			t.Errorf("column %d is %s, want %s", pos, got, name)
		}
	}
	if Table.Schema.NumFields() != cMetadata+1 {
		t.Errorf("schema has %d fields", Table.Schema.NumFields())
	}
	for pos, name := range map[int]string{rUploadID: "upload_id", rName: "name", rPath: "path", rRejectedContacts: "rejected_contacts"} {
		if got := RecordingTable.Schema.Field(pos).Name; got != name {
			t.Errorf("recording column %d is %s, want %s", pos, got, name)
		}
	}
}
