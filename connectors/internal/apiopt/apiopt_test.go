package apiopt

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

func TestValues(t *testing.T) {
	m := map[string]string{"n": " 7 ", "d": "2s", "b": "YES", "day": "2024-02-29", "s": "  x "}
	var p Problems
	if got := Int(m, "n", 1, 0, 10, &p); got != 7 {
		t.Errorf("Int = %d", got)
	}
	if got := Int(m, "missing", 3, 0, 10, &p); got != 3 {
		t.Errorf("Int default = %d", got)
	}
	if got := Duration(m, "d", time.Second, time.Millisecond, time.Minute, &p); got != 2*time.Second {
		t.Errorf("Duration = %v", got)
	}
	if got := PositiveDuration(m, "missing", time.Hour, &p); got != time.Hour {
		t.Errorf("PositiveDuration default = %v", got)
	}
	if !Bool(m, "b", &p) || Bool(m, "missing", &p) {
		t.Error("Bool")
	}
	if got := Day(m, "day", &p); !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Day = %v", got)
	}
	if got := String(m, "s", "d"); got != "x" {
		t.Errorf("String = %q", got)
	}
	if err := p.Err("k"); err != nil {
		t.Fatal(err)
	}
}

func TestProblemsReportsEveryOption(t *testing.T) {
	m := map[string]string{"n": "11", "u": "-1", "d": "1h", "pd": "0s", "b": "maybe", "day": "2024/01/01", "rate_limit": "5/second"}
	var p Problems
	if got := Int(m, "n", 4, 0, 10, &p); got != 4 {
		t.Errorf("bad Int gives %d, want the default", got)
	}
	Int(m, "u", 0, 0, math.MaxInt, &p)
	Duration(m, "d", 0, 0, time.Minute, &p)
	PositiveDuration(m, "pd", time.Second, &p)
	Bool(m, "b", &p)
	if got := Day(m, "day", &p); !got.IsZero() {
		t.Errorf("bad Day gives %v", got)
	}
	RateLimit(m, "1/1s", "1/1s,30/1m", &p)
	err := p.Err("k")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"kind k: ", "n: want a whole number from 0 to 10", "u: want a whole number from 0\n",
		"d: want a duration from 0s to 1m0s", "pd: want a positive duration", "b: want true or false",
		"day: want a date YYYY-MM-DD", `rate_limit "5/second": want N/duration windows such as 1/1s,30/1m`} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	var p Problems
	got := RateLimit(map[string]string{"rate_limit": " 300/1m, 20/1s "}, "1/1s", "x", &p)
	want := []httpx.Window{{Requests: 300, Per: time.Minute}, {Requests: 20, Per: time.Second}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("RateLimit = %+v", got)
	}
	if got := RateLimit(nil, "5/1s", "x", &p); len(got) != 1 || got[0].Requests != 5 {
		t.Errorf("default = %+v", got)
	}
	if got := RateLimitOrNone(map[string]string{"rate_limit": "None"}, "5/1s", "x", &p); got != nil {
		t.Errorf("none = %+v", got)
	}
	if err := p.Err("k"); err != nil {
		t.Fatal(err)
	}
	RateLimit(map[string]string{"rate_limit": "none"}, "5/1s", "5/1s", &p)
	RateLimitOrNone(map[string]string{"rate_limit": "0/1s"}, "5/1s", "5/1s", &p)
	for _, s := range []string{"", "1", "1/", "/1s", "x/1s", "1/0s", "1/1s,"} {
		if _, err := ParseRateLimit(s, "x"); err == nil {
			t.Errorf("ParseRateLimit(%q) accepted", s)
		}
	}
	if len(p) != 2 || !strings.Contains(p[1].Error(), "or none") {
		t.Errorf("problems = %v", p)
	}
}
