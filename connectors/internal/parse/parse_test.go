package parse

import (
	"strconv"
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	day := func(y, m, d int) int32 {
		return int32(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	for _, tc := range []struct {
		in    string
		order DateOrder
		want  int32
		ok    bool
	}{
		{"2024-05-01", MDY, day(2024, 5, 1), true},
		{"2024/05/01", DMY, day(2024, 5, 1), true},
		{"05/01/2024", MDY, day(2024, 5, 1), true},
		{"05/01/2024", DMY, day(2024, 1, 5), true},
		{"8/17/2016", MDY, day(2016, 8, 17), true},
		{"12/31/2999", MDY, day(2999, 12, 31), true},
		{"2024-02-29", MDY, day(2024, 2, 29), true},
		{"2023-02-29", MDY, 0, false},
		{"13/01/2024", MDY, 0, false},
		{"2024-5-1", MDY, 0, false},
		{"2024-05/01", MDY, 0, false},
		{"1/1/24", MDY, 0, false},
		{"", MDY, 0, false},
		{"0000-01-01", MDY, 0, false},
	} {
		got, err := Date([]byte(tc.in), tc.order)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Date(%q, %d) = %d, %v; want %d ok=%v", tc.in, tc.order, got, err, tc.want, tc.ok)
		}
	}
}

func TestNumbersAndBools(t *testing.T) {
	if v, err := Int([]byte("-42")); err != nil || v != -42 {
		t.Errorf("Int: %d %v", v, err)
	}
	for _, bad := range []string{"", "-", "1.5", "1e3", " 1", "9223372036854775808"} {
		if _, err := Int([]byte(bad)); err == nil {
			t.Errorf("Int(%q) accepted", bad)
		}
	}
	if v, err := Int([]byte("9223372036854775807")); err != nil || v != 9223372036854775807 {
		t.Errorf("max int64: %d %v", v, err)
	}
	if v, err := Count([]byte("12.0")); err != nil || v != 12 {
		t.Errorf("Count(12.0) = %d %v", v, err)
	}
	for _, bad := range []string{"-1", "1.5", "x"} {
		if _, err := Count([]byte(bad)); err == nil {
			t.Errorf("Count(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"NaN", "Inf", "0x10", "1_000"} {
		if _, err := Float([]byte(bad)); err == nil {
			t.Errorf("Float(%q) accepted", bad)
		}
	}
	if v, err := Float([]byte("2.5e2")); err != nil || v != 250 {
		t.Errorf("Float = %v %v", v, err)
	}
	for in, want := range map[string]bool{"True": true, "FALSE": false, "true": true, "1": true, "0": false} {
		if v, err := Bool([]byte(in)); err != nil || v != want {
			t.Errorf("Bool(%q) = %v %v", in, v, err)
		}
	}
	if _, err := Bool([]byte("yes")); err == nil {
		t.Error("Bool(yes) accepted")
	}
}

func TestTimes(t *testing.T) {
	if m, err := ClockMinutes([]byte("9:05")); err != nil || m != 545 {
		t.Errorf("ClockMinutes = %d %v", m, err)
	}
	for _, bad := range []string{"24:00", "12:60", "1205", "12:5"} {
		if _, err := ClockMinutes([]byte(bad)); err == nil {
			t.Errorf("ClockMinutes(%q) accepted", bad)
		}
	}
	// the reference's example: 1447100000000 = 11/09/2015 20:13:20 GMT
	if ms, err := EpochMillis([]byte("1447100000000")); err != nil || time.UnixMilli(ms).UTC().Format(time.RFC3339) != "2015-11-09T20:13:20Z" {
		t.Errorf("EpochMillis = %d %v", ms, err)
	}
	if _, err := EpochMillis([]byte("-5")); err == nil {
		t.Error("negative epoch accepted")
	}
	for in, want := range map[string]int64{
		"2021-12-01T10:00:00Z":        1638352800000,
		"2021-12-01T10:00:00.5+01:00": 1638349200500,
		"2021-12-01T10:00:00":         1638352800000,
		"2021-12-01":                  1638316800000,
		"2021-12-01T10:00:00+0100":    1638349200000,
	} {
		if ms, err := Timestamp(in); err != nil || ms != want {
			t.Errorf("Timestamp(%q) = %d %v, want %d", in, ms, err, want)
		}
	}
	if err := MaxChars([]byte("ééé"), 3); err != nil {
		t.Errorf("3 characters over 3: %v", err)
	}
	if err := MaxChars([]byte("éééé"), 3); err == nil {
		t.Error("4 characters accepted for 3")
	}
}

func TestFloatMatchesStrconv(t *testing.T) {
	for _, in := range []string{"0", "-0.5", "245.5", "0.1", "123456789012345", "1234567890.12345", ".5", "5.", "+3.25",
		"2.5e2", "1234567890123456", "0.000000000000001", "99999999999999.9"} {
		got, err := Float([]byte(in))
		want, werr := strconv.ParseFloat(in, 64)
		if (err == nil) != (werr == nil) || got != want {
			t.Errorf("Float(%q) = %v, %v; strconv says %v, %v", in, got, err, want, werr)
		}
	}
	for _, bad := range []string{".", "-", "1.2.3", "--1", "1-"} {
		if _, err := Float([]byte(bad)); err == nil {
			t.Errorf("Float(%q) accepted", bad)
		}
	}
}

func FuzzFloat(f *testing.F) {
	for _, s := range []string{"1.5", "-0.001", "123456789.123456", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Float([]byte(s))
		if err != nil {
			return
		}
		want, werr := strconv.ParseFloat(s, 64)
		if werr != nil || got != want {
			t.Fatalf("Float(%q) = %v; strconv: %v %v", s, got, want, werr)
		}
	})
}
