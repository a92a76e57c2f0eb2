package inputs

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

// hostile is an archive of the fuzz corpus and what Resolve makes of it
// under fuzzLimits: refused (an error containing refused), or accepted
// with members (names after the archive's path, in order) and readErr in
// the errors of reading them.
type hostile struct {
	name, refused, members, readErr string
	data                            []byte
}

type member struct {
	name  string
	data  []byte
	store bool
}

func zipOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		if m.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// centralRecords returns the offsets of the central directory headers and
// of the end record.
func centralRecords(t testing.TB, b []byte) (recs []int, end int) {
	t.Helper()
	end = bytes.LastIndex(b, []byte("PK\x05\x06"))
	for i := bytes.Index(b, []byte("PK\x01\x02")); i >= 0 && i < end; {
		recs = append(recs, i)
		j := bytes.Index(b[i+4:], []byte("PK\x01\x02"))
		if j < 0 {
			break
		}
		i += 4 + j
	}
	if end < 0 || len(recs) == 0 {
		t.Fatal("no central directory")
	}
	return recs, end
}

// declare rewrites a 32-bit field (at off within its central directory
// header: 20 compressed size, 24 uncompressed size) of the member named
// name, as a forged archive would.
func declare(t testing.TB, b []byte, name string, off int, v uint32) []byte {
	t.Helper()
	b = bytes.Clone(b)
	recs, _ := centralRecords(t, b)
	for _, i := range recs {
		if n := int(binary.LittleEndian.Uint16(b[i+28:])); string(b[i+46:i+46+n]) == name {
			binary.LittleEndian.PutUint32(b[i+off:], v)
			return b
		}
	}
	t.Fatalf("no member %s", name)
	return nil
}

// overlap adds to a one-member archive a second central directory entry,
// named name, for the same data: the overlapping-members bomb, where
// every entry inflates the same compressed bytes.
func overlap(t testing.TB, b []byte, name string) []byte {
	t.Helper()
	recs, end := centralRecords(t, b)
	rec := bytes.Clone(b[recs[0]:end])
	n := int(binary.LittleEndian.Uint16(rec[28:]))
	if len(name) != n {
		t.Fatalf("overlap: %q must be %d bytes long", name, n)
	}
	copy(rec[46:], name)
	out := append(append(bytes.Clone(b[:end]), rec...), b[end:]...)
	e := end + len(rec)
	binary.LittleEndian.PutUint16(out[e+8:], binary.LittleEndian.Uint16(out[e+8:])+1)
	binary.LittleEndian.PutUint16(out[e+10:], binary.LittleEndian.Uint16(out[e+10:])+1)
	binary.LittleEndian.PutUint32(out[e+12:], binary.LittleEndian.Uint32(out[e+12:])+uint32(len(rec)))
	return out
}

func hostileArchives(t testing.TB) []hostile {
	csv := []byte("AgentId,ContactStartTimeMs,Recording1\n2,1447100000000,call1.wav\n")
	plain := zipOf(t, member{name: "batch/batch.csv", data: csv}, member{name: "call1.wav", data: []byte("RIFF1")},
		member{name: `win\call2.wav`, data: []byte("RIFF2")})
	var many []member
	for i := range 65 {
		many = append(many, member{name: fmt.Sprintf("m%02d.txt", i), data: []byte("x")})
	}
	var smalls []member
	for _, n := range []string{"a.wav", "b.wav", "c.wav", "d.wav"} {
		smalls = append(smalls, member{name: n, data: make([]byte, 512<<10)})
	}
	inner := zipOf(t, member{name: "x.wav", data: []byte("RIFF")})
	storedInner := zipOf(t, member{name: "x.wav", data: []byte("RIFF"), store: true})
	return []hostile{
		{name: "plain", data: plain, members: "!batch/batch.csv,!call1.wav,!win/call2.wav"},
		{name: "slip", data: zipOf(t, member{name: "../../etc/passwd.csv", data: csv}), members: "!../../etc/passwd.csv"},
		{name: "truncated", data: plain[:150], refused: "zip: not a valid zip file"},
		{name: "zeros-bomb", data: zipOf(t, member{name: "x.wav", data: make([]byte, 2<<20)}),
			refused: "member x.wav is 2097152 bytes uncompressed, over the limit of 1048576 (max_member_bytes)"},
		{name: "ratio-bomb", data: zipOf(t, member{name: "x.wav", data: make([]byte, 1<<20)}),
			refused: "member x.wav expands"},
		{name: "small-members", data: zipOf(t, smalls...),
			refused: "its members up to b.wav come to 1048576 bytes uncompressed"},
		{name: "overlap", data: overlap(t, zipOf(t, member{name: "a.wav", data: make([]byte, 768<<10)}), "b.wav"),
			refused: "its members up to b.wav come to 1572864 bytes uncompressed"},
		{name: "many", data: zipOf(t, many...), refused: "more than 64 members in the upload's ZIPs (max_zip_entries)"},
		{name: "lying-size", data: declare(t, zipOf(t, member{name: "x.wav", data: make([]byte, 64<<10)}), "x.wav", 24, 100),
			members: "!x.wav", readErr: "zip member x.wav: its data does not match the 100 bytes"},
		{name: "nested", data: zipOf(t, member{name: "c.csv", data: csv}, member{name: "in/inner.zip", data: inner}),
			members: "!c.csv,!in/inner.zip!x.wav"},
		{name: "nested-stored", data: zipOf(t, member{name: "inner.zip", data: storedInner, store: true}),
			members: "!inner.zip!x.wav"},
		{name: "nested-stored-liar", data: declare(t, zipOf(t, member{name: "inner.zip", data: storedInner, store: true}), "inner.zip", 20, 10),
			refused: "a stored member declaring 10 bytes compressed"},
		{name: "nested-3", data: zipOf(t, member{name: "a.zip", data: zipOf(t, member{name: "b.zip", data: inner})}),
			refused: "member b.zip is a ZIP inside a ZIP, 3 deep, over the limit of 2 (max_zip_depth)"},
	}
}
