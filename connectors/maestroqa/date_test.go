package maestroqa

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	const day = int64(1638316800000) // 2021-12-01T00:00:00Z, the reference's startDate
	for _, c := range []struct {
		in   string
		want int64
	}{
		{`"2021-12-01"`, day},
		{`"2021-12-01T00:00:00Z"`, day},
		{`"2021-12-01T09:30:15.123Z"`, day + 34215123},
		{`"2021-12-01T18:30:15.123456789+09:00"`, day + 34215123},
		{`"2021-12-01T09:30:15"`, day + 34215000},
		{`"2021-12-01 09:30:15.5"`, day + 34215500},
		{`"2021-12-01T09:30"`, day + 34200000},
		{`"2021-12-01T09:30:15.000+0000"`, day + 34215000},
		{`"2021-12-01T04:30:15-0500"`, day + 34215000},
		{`1638316800000`, day},
		{`1.6383168e12`, day},
		{`{"$date": "2021-12-01T00:00:00.000Z"}`, day},
		{`{"$date": 1638316800000}`, day},
		{`{"$date": {"$numberLong": "1638316800000"}}`, day},
		{`"2022-01-25"`, day + 55*86400000},
	} {
		got, err := parseDate([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("%s: %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		`"12/01/2021"`, `"2021-13-01"`, `"yesterday"`, `""`, `"1638316800000"`, `true`, `[]`, `-5`, `1e300`, `1.5`,
		`{"$date": "x"}`, `{"$date": 1, "x": 2}`, `{"date": 1}`, `{}`, `{"$date": {"$numberLong": 1}}`,
		`{"$date": {"$numberLong": "x"}}`, `{"$date": {"$date": 1}}`, `{"$date": null}`, `"2021-12-01T00:00:00 UTC"`,
	} {
		if ms, err := parseDate([]byte(in)); err == nil {
			t.Errorf("%s accepted as %d", in, ms)
		} else if strings.Contains(err.Error(), strings.Trim(in, `"`)) && len(in) > 3 {
			t.Errorf("%s: error quotes the value: %v", in, err)
		}
	}
}

// FuzzParseDate: no panic, and an accepted string date means the instant
// it names (checked by formatting it back and parsing that).
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{`"2021-12-01"`, `1638316800000`, `{"$date": "2021-12-01T00:00:00Z"}`, `"2021-12-01T09:30:15.000+0000"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return // parseDate gets values encoding/json has checked
		}
		ms, err := parseDate([]byte(in))
		if err != nil {
			return
		}
		back := `"` + time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`
		if again, err := parseDate([]byte(back)); err != nil || again != ms {
			t.Errorf("%q -> %d -> %s -> %d, %v", in, ms, back, again, err)
		}
	})
}
