package maestroqa

import (
	"strings"
	"testing"
	"time"
)

func TestGrid(t *testing.T) {
	for _, c := range []struct {
		from, to string
		days     int
		want     []string // first days of the windows
	}{
		{"1970-01-01", "1970-01-02", 1, []string{"1970-01-01"}},
		{"2021-12-01", "2022-02-01", 30, []string{"2021-11-29", "2021-12-29", "2022-01-28"}},
		{"2021-11-29", "2021-12-29", 30, []string{"2021-11-29"}}, // on the grid: one window
		{"2021-09-30", "2022-02-27", 90, []string{"2021-09-30", "2021-12-29"}},
		{"1969-12-25", "1970-01-03", 7, []string{"1969-12-25", "1970-01-01"}}, // before the epoch
	} {
		ws := grid(date(c.from), date(c.to), c.days)
		var got []string
		for i, w := range ws {
			got = append(got, w.startDate())
			if w.End.Sub(w.Start) != time.Duration(c.days)*day24 {
				t.Errorf("%v: window %d is %v long", c, i, w.End.Sub(w.Start))
			}
			if i > 0 && !w.Start.Equal(ws[i-1].End) {
				t.Errorf("%v: windows %d and %d are not adjacent", c, i-1, i)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("grid(%s, %s, %d) = %v, want %v", c.from, c.to, c.days, got, c.want)
		}
		if ws[0].Start.After(date(c.from)) || ws[len(ws)-1].End.Before(date(c.to)) {
			t.Errorf("%v: windows do not cover the days", c)
		}
	}
	if g := GridStart(date("2021-12-01"), 30); !g.Equal(date("2021-11-29")) {
		t.Fatalf("GridStart %v", g)
	}
}

func TestWindowDates(t *testing.T) {
	w := window{date("2021-11-29"), date("2021-12-29")}
	if w.startDate() != "2021-11-29" || w.endDate(true) != "2021-12-28" || w.endDate(false) != "2021-12-29" {
		t.Fatalf("%s %s %s", w.startDate(), w.endDate(true), w.endDate(false))
	}
	if w.String() != "2021-11-29..2021-12-28" {
		t.Fatal(w.String())
	}
}

func TestPlanRun(t *testing.T) {
	base := APIOptions{TimeAxis: "createdAt", WindowDays: 10, RepullDays: 7}
	with := func(f func(*APIOptions)) APIOptions { o := base; f(&o); return o }
	cur := func(v string) map[string]string { return map[string]string{"createdAt_window_end": v} }
	for _, c := range []struct {
		name       string
		o          APIOptions
		cursors    map[string]string
		now        string
		from, to   string // requested
		first, end string // windows
		cursor     string
	}{
		{"backfill in the past", with(func(o *APIOptions) { o.Start, o.End = date("2021-12-05"), date("2021-12-20") }),
			nil, "2022-03-15", "2021-12-05", "2021-12-20", "2021-11-29", "2021-12-29", "2021-12-29"},
		{"backfill up to today", with(func(o *APIOptions) { o.Start = date("2022-03-01") }),
			nil, "2022-03-15", "2022-03-01", "2022-03-16", "2022-02-27", "2022-03-19", "2022-03-15"},
		{"resume with re-pull", base, cur("2022-03-10"), "2022-03-15",
			"2022-03-03", "2022-03-16", "2022-02-27", "2022-03-19", "2022-03-15"},
		{"resume the same day", base, cur("2022-03-15"), "2022-03-15",
			"2022-03-08", "2022-03-16", "2022-02-27", "2022-03-19", "2022-03-15"},
		{"old backfill keeps the cursor", with(func(o *APIOptions) { o.Start, o.End = date("2021-01-01"), date("2021-01-05") }),
			cur("2022-03-10"), "2022-03-15", "2021-01-01", "2021-01-05", "2020-12-24", "2021-01-13", "2022-03-10"},
		{"a future backfill completes nothing", with(func(o *APIOptions) { o.Start, o.End = date("2022-06-01"), date("2022-06-05") }),
			nil, "2022-03-15", "2022-06-01", "2022-06-05", "2022-05-28", "2022-06-07", ""},
		{"no re-pull", with(func(o *APIOptions) { o.RepullDays = 0 }), cur("2022-03-06"), "2022-03-15",
			"2022-03-06", "2022-03-16", "2022-02-27", "2022-03-19", "2022-03-15"},
		{"the other axis has its own cursor", with(func(o *APIOptions) { o.TimeAxis = "meetingDate"; o.Start = date("2022-03-01") }),
			cur("2022-03-10"), "2022-03-15", "2022-03-01", "2022-03-16", "2022-02-27", "2022-03-19", "2022-03-15"},
	} {
		p, err := planRun(c.o, c.cursors, noon(c.now))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := []string{p.from.Format(time.DateOnly), p.to.Format(time.DateOnly), p.windows[0].startDate(),
			p.windows[len(p.windows)-1].End.Format(time.DateOnly), p.cursor}
		want := []string{c.from, c.to, c.first, c.end, c.cursor}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
	}
	if _, err := planRun(base, nil, noon("2022-03-15")); err == nil {
		t.Error("a run without start or cursor was planned")
	}
	if _, err := planRun(base, cur("03/10/2022"), noon("2022-03-15")); err == nil || !strings.Contains(err.Error(), "createdAt_window_end") {
		t.Errorf("a bad cursor: %v", err)
	}
	if _, err := planRun(with(func(o *APIOptions) { o.End = date("2022-03-01") }), cur("2022-03-10"), noon("2022-03-15")); err == nil {
		t.Error("an end before the resumed start was planned")
	}
}
