package parquet

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		where string
		parts map[string]string
		want  bool
	}{
		{"", map[string]string{}, true},
		{"dt >= 2024-05-01", map[string]string{"dt": "2024-05-01"}, true},
		{"dt >= 2024-05-01", map[string]string{"dt": "2024-04-30"}, false},
		{"dt between 2024-05-01 and 2024-05-31", map[string]string{"dt": "2024-05-31"}, true},
		{"dt between 2024-05-01 and 2024-05-31", map[string]string{"dt": "2024-06-01"}, false},
		{"dt between 2024-05-01 and 2024-05-31 and dt != 2024-05-02", map[string]string{"dt": "2024-05-02"}, false},
		{"month = '2024-05' AND year = 2024", map[string]string{"month": "2024-05", "year": "2024"}, true},
		{"dt >= 2024-05-01", map[string]string{"dt": nullPartition}, false},
		{"dt >= 2024-05-01", map[string]string{}, false},
	} {
		f, err := parseFilter(tc.where)
		if err != nil {
			t.Fatalf("%q: %v", tc.where, err)
		}
		if got := f.match(tc.parts); got != tc.want {
			t.Errorf("%q on %v: %v, want %v", tc.where, tc.parts, got, tc.want)
		}
	}
	for _, bad := range []string{"dt", "dt >> 1", "dt between 1", "and dt = 1", "dt = 1 or dt = 2"} {
		if _, err := parseFilter(bad); err == nil || !strings.Contains(err.Error(), "where:") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{"dt >= 2024-05-01", "dt between a and b and x = 1", "", " and ", "dt = 'x' AND"} {
		f.Add(s, "2024-05-01")
	}
	f.Fuzz(func(t *testing.T, where, v string) {
		flt, err := parseFilter(where)
		if err != nil {
			return
		}
		for _, c := range flt {
			if c.key == "" || c.op == "" {
				t.Fatalf("%q gave an empty clause %+v", where, c)
			}
		}
		flt.match(map[string]string{"dt": v})
	})
}
