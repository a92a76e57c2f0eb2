package csvin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

const benchBytes = 8 << 20

// unquotedCSV is a contact-center call log: 15 numeric and text columns,
// about 100 bytes a line, no quotes.
var unquotedCSV = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(5, 6))
	queues := []string{"billing", "support", "sales", "retention", "tech"}
	var b bytes.Buffer
	b.WriteString("call_id,started_at,agent,queue,wait_s,talk_s,hold_s,score,lang,transfers,outcome,ani,dnis,site,csat\n")
	for i := 0; b.Len() < benchBytes; i++ {
		fmt.Fprintf(&b, "%d,2024-03-%02dT%02d:%02d:%02dZ,A%04d,%s,%d,%d,%d,%.2f,de,%d,resolved,%d,%d,BER%d,%d\n",
			1000000+i, 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(5000),
			queues[rng.IntN(len(queues))], rng.IntN(600), rng.IntN(3600), rng.IntN(300), rng.Float64()*10,
			rng.IntN(4), 4930000000+rng.IntN(99999999), 800100+rng.IntN(900), rng.IntN(9), 1+rng.IntN(5))
	}
	return b.Bytes()
})

// quotedCSV is a ticket export: every text column quoted, with commas,
// doubled quotes and, in one line of ten, a line break in the note.
var quotedCSV = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(7, 8))
	notes := []string{
		"Customer called about invoice, asked for a refund",
		`Said "the app crashes" on login`,
		"Escalated to tier 2; waiting for callback",
		"Address changed, confirmed by e-mail",
	}
	var b bytes.Buffer
	b.WriteString("\"ticket\",\"customer\",\"subject\",\"note\",\"priority\",\"opened\"\r\n")
	for i := 0; b.Len() < benchBytes; i++ {
		note := notes[rng.IntN(len(notes))]
		if rng.IntN(10) == 0 {
			note += "\r\nFollow-up: done"
		}
		fmt.Fprintf(&b, "%d,\"Müller, Anna\",\"Re: order %d\",\"%s\",\"P%d\",\"2024-03-%02d\"\r\n",
			i, rng.IntN(1000000), strings.ReplaceAll(note, `"`, `""`), rng.IntN(4), 1+rng.IntN(28))
	}
	return b.Bytes()
})

var benchInputs = []struct {
	name string
	data func() []byte
}{
	{"unquoted", unquotedCSV},
	{"quoted", quotedCSV},
}

func BenchmarkReader(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			data := in.data()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader(bytes.NewReader(data), Options{})
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkEncodingCSV reads the same inputs with encoding/csv, reusing
// records, for comparison.
func BenchmarkEncodingCSV(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			data := in.data()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := csv.NewReader(bytes.NewReader(data))
				r.FieldsPerRecord = -1
				r.ReuseRecord = true
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestNoAllocsPerRecord checks that Next allocates nothing once the
// Reader's buffers have grown.
func TestNoAllocsPerRecord(t *testing.T) {
	for _, in := range benchInputs {
		t.Run(in.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(in.data()), Options{BufferSize: 64 << 10})
			next := func() {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			for range 1000 {
				next()
			}
			if n := testing.AllocsPerRun(20000, next); n != 0 {
				t.Errorf("%v allocations per record, want 0", n)
			}
		})
	}
}
