package daygrid

import (
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestGrid(t *testing.T) {
	for _, c := range []struct {
		from, to string
		size     int
		want     []string // window starts
		last     string   // end of the last window
	}{
		{"2024-01-06", "2024-01-12", 7, []string{"2024-01-04", "2024-01-11"}, "2024-01-18"}, // 1970-01-01 was a Thursday
		{"2024-01-05", "2024-01-06", 1, []string{"2024-01-05"}, "2024-01-06"},
		{"1969-12-31", "1970-01-02", 7, []string{"1969-12-25", "1970-01-01"}, "1970-01-08"},
		{"2024-01-04", "2024-01-11", 7, []string{"2024-01-04"}, "2024-01-11"},
	} {
		ws := Grid(date(c.from), date(c.to), c.size)
		var got []string
		for i, w := range ws {
			got = append(got, w.Start.Format(time.DateOnly))
			if !w.End.Equal(w.Start.AddDate(0, 0, c.size)) || (i > 0 && !w.Start.Equal(ws[i-1].End)) {
				t.Errorf("Grid(%s, %s, %d): window %d is %v", c.from, c.to, c.size, i, w)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") || ws[len(ws)-1].End.Format(time.DateOnly) != c.last {
			t.Errorf("Grid(%s, %s, %d) = %v, want starts %v ending %s", c.from, c.to, c.size, ws, c.want, c.last)
		}
	}
	if g := GridStart(date("2021-12-01"), 30); !g.Equal(date("2021-11-29")) {
		t.Errorf("GridStart = %v", g)
	}
	if g := GridStart(date("2021-12-01").Add(13*time.Hour), 1); !g.Equal(date("2021-12-01")) {
		t.Errorf("GridStart of noon = %v", g)
	}
}

func TestResolve(t *testing.T) {
	now := date("2024-03-10").Add(15 * time.Hour)
	r, err := Resolve(time.Time{}, time.Time{}, 3, "c", "2024-03-05", now)
	if err != nil || !r.From.Equal(date("2024-03-02")) || !r.To.Equal(date("2024-03-11")) ||
		!r.Saved.Equal(date("2024-03-05")) || !r.Today.Equal(date("2024-03-10")) {
		t.Fatalf("resume = %+v, %v", r, err)
	}
	if got := r.Later(r.Today); got != "2024-03-10" {
		t.Errorf("Later = %s", got)
	}
	r, err = Resolve(date("2023-01-01"), date("2023-02-01"), 3, "c", "2024-03-05", now)
	if err != nil || !r.From.Equal(date("2023-01-01")) || !r.To.Equal(date("2023-02-01")) {
		t.Fatalf("backfill = %+v, %v", r, err)
	}
	if got := r.Later(r.To); got != "2024-03-05" {
		t.Errorf("a backfill moved the cursor back to %s", got)
	}
	for _, c := range []struct {
		start, end, saved, want string
	}{
		{"", "", "", "no start option and no saved cursor"},
		{"", "", "March", "cursor c: want a date"},
		{"", "2024-01-01", "2024-03-05", "nothing to pull"},
		{"2024-03-11", "", "", "nothing to pull"},
	} {
		var s, e time.Time
		if c.start != "" {
			s = date(c.start)
		}
		if c.end != "" {
			e = date(c.end)
		}
		if _, err := Resolve(s, e, 0, "c", c.saved, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%q, %q, %q) = %v, want %q", c.start, c.end, c.saved, err, c.want)
		}
	}
}
