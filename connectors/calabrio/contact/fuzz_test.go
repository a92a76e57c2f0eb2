package contact

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// fuzzTarget returns the body of a fuzz target that decodes its input as
// the metadata file name of an upload that also holds two recordings. A
// run may fail (a broken file fails its upload) but never panics, and
// every row read is written or rejected (lakecheck.Drain checks each batch
// and the allocator).
func fuzzTarget(f *testing.F, name string) func(t *testing.T, data []byte) {
	dir := f.TempDir() // reused: a worker runs its inputs one at a time
	meta := filepath.Join(dir, name)
	in := []string{meta}
	for i, r := range []string{"call1.wav", "call2.webm"} {
		p := filepath.Join(dir, r)
		if err := os.WriteFile(p, uploadtest.WAV(byte(i), 20), 0o644); err != nil {
			f.Fatal(err)
		}
		in = append(in, p)
	}
	return func(t *testing.T, data []byte) {
		if err := os.WriteFile(meta, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := lakecheck.Drain(t, Kind(), nil, in...)
		if err != nil {
			return
		}
		if c.Read != c.Written+c.Rejected+c.Merged {
			t.Fatalf("read %d != written %d + rejected %d", c.Read, c.Written, c.Rejected)
		}
		if c.Read < 2 { // the recording table lists both recordings
			t.Fatalf("read %d rows, want at least the 2 recordings", c.Read)
		}
	}
}

func FuzzCSV(f *testing.F) {
	uploadtest.Seeds(f, "testdata/doc_full.csv", "testdata/doc_short.csv", "testdata/doc_short.verbatim.csv")
	f.Add([]byte(badCSV))
	f.Add([]byte("AgentId,Recording1,Audio.Location,Screen.Location,metadata.a\n1,call1.wav,,call2.webm,x\n"))
	// Upper-case and missing extensions, empty metadata, a column absent
	// from the header, an empty number, quoted cells.
	f.Add([]byte("AgentId,Recording1,Recording2,Direction,metadata.a,metadata.b\n1,CALL1.WAV,call2.WebM,,,v\n2,call1,,1,x,\n\"3\",\"call1.wav\",\"\",0,\"\",\"\"\n"))
	f.Fuzz(fuzzTarget(f, "contacts.csv"))
}

func FuzzJSON(f *testing.F) {
	uploadtest.Seeds(f, "testdata/doc_full.json", "testdata/doc_full.verbatim.json")
	f.Add([]byte(badJSON))
	f.Add([]byte(`{"Audio":{"Location":"call1.wav"},"Screen":[{"Location":"call2.webm"}]}`))
	f.Add([]byte("\xef\xbb\xbf[{\"AgentId\":1}, {}]"))
	f.Fuzz(fuzzTarget(f, "contacts.json"))
}

// benchUpload writes n contacts in the format of name and 4 recordings.
func benchUpload(b *testing.B, name string, n int) (string, []string) {
	dir := b.TempDir()
	var sb strings.Builder
	if strings.HasSuffix(name, ".csv") {
		sb.WriteString("AgentId,ContactStartTimeMs,TimeZone,AssocCallId,CallId,CalledAddress,Line,CallingAddress,Direction,Recording1,Recording2,Recording2Offset,metadata.accountNumber\n")
		for i := range n {
			fmt.Fprintf(&sb, "agent%d@acme.com,%d,America/Chicago,%d,%d,1801,1800,1800,%d,call%d.webm,call%d.wav,5000,%d\n",
				i%500, 1447100000000+int64(i)*60000, 103585664793210000+i, 30611848+i, i%2, i%2, i%2, 1234567890+i)
		}
	} else {
		sb.WriteString("[\n")
		for i := range n {
			if i > 0 {
				sb.WriteString(",\n")
			}
			fmt.Fprintf(&sb, `{"AgentId":"agent%d@acme.com","AssocCallId":"%d","CallId":"%d","CalledAddress":"1801","CallingAddress":"1800",`+
				`"ClientTimeZone":"Central Standard Time","ContactStartTimeMs":%d,"Direction":%d,`+
				`"Audio":[{"Location":"call%d.wav","StartTimeMs":%d}],"Screen":[{"Location":"call%d.webm","StartTimeMs":%d}],`+
				`"CustomMetadata":{"accountNumber":"%d","department":"sales"}}`,
				i%500, 103585664793210000+i, 30611848+i, 1447100000000+int64(i)*60000, i%2, i%2, 1447100000000+int64(i)*60000, i%2, 1447100000000+int64(i)*60000, i)
		}
		sb.WriteString("\n]\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	var recs []string
	for _, r := range []string{"call0.wav", "call1.wav", "call0.webm", "call1.webm"} {
		rp := filepath.Join(dir, r)
		if err := os.WriteFile(rp, uploadtest.WAV(1, 1000), 0o644); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rp)
	}
	return p, recs
}

func benchDecode(b *testing.B, name string) {
	const n = 20000
	meta, recs := benchUpload(b, name, n)
	st, err := os.Stat(meta)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		rows, err := uploadtest.Read(Kind(), nil, append([]string{meta}, recs...)...)
		if err != nil || rows != n+4 {
			b.Fatalf("read %d rows, %v", rows, err)
		}
	}
}

func BenchmarkCSV(b *testing.B)  { benchDecode(b, "contacts.csv") }
func BenchmarkJSON(b *testing.B) { benchDecode(b, "contacts.json") }
