package historicalimport

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

func interval(origin string, service int64, day int, period string, received int64) pipeline.Record {
	return pipeline.Record{Entity: "intervals", Origin: origin, Values: map[string]any{
		"service_number": service, "service_name": fmt.Sprintf("Queue %d", service),
		"date": time.Date(2024, 5, day, 0, 0, 0, 0, time.UTC), "period": period,
		"received_calls": received, "handled_calls": received - 1, "avg_talk_time_s": 245.5, "avg_acw_time_s": 31.25,
		"service_level": int64(85),
	}}
}

func emuOptions(e *calabriotest.Emulator, kv ...string) map[string]string {
	m := map[string]string{"base_url": e.URL, "username": calabriotest.DefaultUsername, "password": calabriotest.DefaultPassword,
		"rate_limit": "10000/1s", "retry_delay": "1ms", "acd_server_id": "7", "batch_rows": "2"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func uploads(e *calabriotest.Emulator) int { return e.Stats().Routes["POST upload/historical"] }

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := calabriotest.New(t, calabriotest.Options{})
			return pushtest.Env{Options: emuOptions(e), Writes: func() int { return uploads(e) }, State: func() any { return e.Intervals() }}
		},
		Records: []pipeline.Record{
			interval("a.csv:2", 1001, 1, "08:00", 42), interval("a.csv:3", 1001, 1, "8:30", 51),
			interval("a.csv:4", 1002, 1, "08:00", 17), interval("a.csv:5", 1002, 2, "08:00", 19),
			interval("a.csv:6", 1002, 2, "08:30", 21), interval("a.csv:7", 1001, 3, "08:00", 9),
		},
		Invalid: []pushtest.Invalid{
			{Record: interval("a.csv:9", 1003, 1, "25:00", 3), Reason: "period: not HH:MM"},
			{Record: func() pipeline.Record {
				r := interval("a.csv:10", 1003, 1, "09:00", 3)
				r.Values["service_level"] = int64(120)
				return r
			}(), Reason: "serviceLevel: not an integer from 0 to 100"},
			{Record: func() pipeline.Record {
				r := interval("a.csv:11", 1003, 1, "09:30", 3)
				delete(r.Values, "handled_calls")
				return r
			}(), Reason: "field handled_calls: required"},
		},
	})
}

func TestDaysAndISODates(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: emuOptions(e, "batch_rows", "100", "time_zone", "UTC")})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	recs := []pipeline.Record{interval("x:1", 1, 2, "08:00", 5), interval("x:2", 1, 1, "08:00", 5), interval("x:3", 1, 2, "09:00", 5)}
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	if n := uploads(e); n != 2 {
		t.Fatalf("%d uploads, want 2 (one per day)", n)
	}
	// days go in date order, each day's rows in input order
	if len(j.Acks) != 2 || !strings.Contains(j.Acks[0].Request, "1 rows, 2024-05-01") || !strings.Contains(j.Acks[1].Request, "2 rows, 2024-05-02") ||
		j.Acks[1].Outcomes[0].Seq != 0 || j.Acks[1].Outcomes[1].Seq != 2 {
		t.Fatalf("uploads %+v, want 2024-05-01 (x:2), then 2024-05-02 (x:1, x:3)", j.Acks)
	}
	got := e.Intervals()["7|1|2024-05-02|09:00"]
	if got.TimeZone != "UTC" || got.Cells["date"] != "2024-05-02" || got.Cells["avgACWTime"] != "31.25" {
		t.Fatalf("interval %+v", got)
	}
	for _, o := range j.Outcomes {
		if o.Status != pipeline.StatusSent {
			t.Fatalf("outcome %+v: an upload without per-row results makes rows sent, never created", o)
		}
	}
	for _, a := range j.Acks {
		if !strings.Contains(a.Response, "SUCCESS") {
			t.Fatalf("response body not kept: %+v", a)
		}
	}
	// A changed interval is sent again; the unchanged ones are skipped.
	recs[0].Values["received_calls"] = int64(6)
	p, _ = tg.Plan(t.Context(), recs, led)
	if c := p.Counts(); c[pipeline.ActionSend] != 1 || c[pipeline.ActionSkip] != 2 {
		t.Fatalf("second plan %v", c)
	}
}

// A streamed push's windows end where a day's sends end, or (per rows)
// after whole uploads; the changes after the cut wait for the next window.
func TestCutWindow(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	cut := func(opts map[string]string, recs ...pipeline.Record) int {
		t.Helper()
		tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: opts})
		if err != nil {
			t.Fatal(err)
		}
		defer tg.Close()
		p, err := tg.Plan(t.Context(), recs, pushtest.NewLedger())
		if err != nil {
			t.Fatal(err)
		}
		return tg.(pipeline.WindowCutter).CutWindow(p.Changes)
	}
	bad := interval("x:9", 1, 1, "25:00", 5) // invalid: never sent
	day1, day2 := interval("x:1", 1, 1, "08:00", 5), interval("x:2", 2, 1, "08:00", 5)
	day3, day4 := interval("x:3", 1, 2, "08:00", 5), interval("x:4", 2, 2, "08:00", 5)
	byDay := emuOptions(e, "batch_rows", "100")
	for _, tc := range []struct {
		name string
		opts map[string]string
		recs []pipeline.Record
		want int
	}{
		{"one day: it may go on", byDay, []pipeline.Record{day1, bad, day2}, 0},
		{"two days: the first", byDay, []pipeline.Record{day1, day2, bad, day3, day4}, 2},
		{"nothing sent", byDay, []pipeline.Record{bad}, 1},
		{"per rows: whole uploads", emuOptions(e, "batch", "rows"), []pipeline.Record{day1, day2, day3, bad}, 2},
		{"per rows: all whole", emuOptions(e, "batch", "rows"), []pipeline.Record{day1, day2, bad, day3, day4}, 5},
		{"per rows: not one whole", emuOptions(e, "batch", "rows"), []pipeline.Record{day1, bad}, 0},
		{"a day longer than an upload: its whole uploads", emuOptions(e), []pipeline.Record{day1, day2, bad, interval("x:5", 3, 1, "08:00", 5)}, 3},
	} {
		if got := cut(tc.opts, tc.recs...); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
