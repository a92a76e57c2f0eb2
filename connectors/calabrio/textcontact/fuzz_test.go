package textcontact

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
// the contact data file name of an upload that also holds the reference's
// TXT bodies. A run may fail (a broken file fails its upload) but never
// panics, and every row read is written or rejected (lakecheck.Drain
// checks each batch and the allocator).
func fuzzTarget(f *testing.F, name string) func(t *testing.T, data []byte) {
	meta := filepath.Join(f.TempDir(), name) // reused: a worker runs its inputs one at a time
	in := append([]string{meta}, bodies...)
	return func(t *testing.T, data []byte) {
		if err := os.WriteFile(meta, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := lakecheck.Drain(t, Kind(), map[string]string{"max_body_bytes": "80"}, in...)
		if err != nil {
			return
		}
		if c.Read != c.Written+c.Rejected+c.Merged {
			t.Fatalf("read %d != written %d + rejected %d", c.Read, c.Written, c.Rejected)
		}
	}
}

func FuzzCSV(f *testing.F) {
	uploadtest.Seeds(f, "testdata/doc_batch.csv", "testdata/doc_batch.verbatim.csv")
	f.Add([]byte(badCSV))
	f.Fuzz(fuzzTarget(f, "contacts.csv"))
}

func FuzzJSON(f *testing.F) {
	uploadtest.Seeds(f, "testdata/doc_multi.json", "testdata/doc_multi.verbatim.json")
	f.Add([]byte(badJSON))
	f.Add([]byte(`{"textType":"chat","filename":"chat1.txt","time":1,"username":"u","evalForm":{"id":"5"}}`))
	f.Fuzz(fuzzTarget(f, "contacts.json"))
}

// benchUpload writes n contacts in the format of name, over 50 bodies of
// about 2 KiB.
func benchUpload(b *testing.B, name string, n int) []string {
	dir := b.TempDir()
	var sb strings.Builder
	if strings.HasSuffix(name, ".csv") {
		sb.WriteString("textType,filename,evalForm,time,username,sender,receiver,subject,metadata,references,id\n")
		for i := range n {
			fmt.Fprintf(&sb, "email,body%d.txt,Form %d,%d,agent%d@calabrio.com,cust%d@abc.com,agent1@calabrio.com|agent2@calabrio.com,\"subject %d, re\",accNum=%d|ssn=%d,ref%d|ref%d,%d\n",
				i%50, i%3, 1439993633000+int64(i)*1000, i%100, i, i, i, i, i, i+1, i)
		}
	} else {
		sb.WriteString("[\n")
		for i := range n {
			if i > 0 {
				sb.WriteString(",\n")
			}
			fmt.Fprintf(&sb, `{"textType":"chat","filename":"body%d.txt","evalForm":{"id":%d,"name":"Form"},"time":%d,"username":"agent%d@calabrio.com",`+
				`"sender":"cust%d@abc.com","receiver":["agent1@calabrio.com","agent2@calabrio.com"],"subject":"subject %d",`+
				`"metadata":{"accNum":"%d"},"references":["ref%d"],"id":"%d"}`, i%50, i%3, 1439993633000+int64(i)*1000, i%100, i, i, i, i, i)
		}
		sb.WriteString("\n]\n")
	}
	paths := []string{filepath.Join(dir, name)}
	if err := os.WriteFile(paths[0], []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		p := filepath.Join(dir, fmt.Sprintf("body%d.txt", i))
		if err := os.WriteFile(p, []byte(strings.Repeat(fmt.Sprintf("line %d of a chat, äöü\n", i), 80)), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// benchDecode reports MB/s of contact data plus the bodies it reads.
func benchDecode(b *testing.B, name string) {
	const n = 20000
	in := benchUpload(b, name, n)
	meta, err := os.Stat(in[0])
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.Stat(in[1])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(meta.Size() + n*body.Size())
	b.ResetTimer()
	for b.Loop() {
		rows, err := uploadtest.Read(Kind(), nil, in...)
		if err != nil || rows != n {
			b.Fatalf("read %d rows, %v", rows, err)
		}
	}
}

func BenchmarkCSV(b *testing.B)  { benchDecode(b, "contacts.csv") }
func BenchmarkJSON(b *testing.B) { benchDecode(b, "contacts.json") }
