package whit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// FuzzDecode feeds arbitrary bytes as a WHIT file: the decoder must never
// panic, and every row it reads must be written or rejected.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/documented.csv", "testdata/bad.csv"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n1,\"a\"\"b\",31/12/2024,23:59,0,0,0.5,1e3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := lakecheck.Drain(t, Kind(), map[string]string{"time_zone": "Europe/Berlin", "date_order": "dmy"}, in)
		if err != nil {
			return // a file-level error (bad header) is a clear error, not a panic
		}
		if c.Read != c.Written+c.Rejected {
			t.Fatalf("read %d != written %d + rejected %d", c.Read, c.Written, c.Rejected)
		}
	})
}
