package genesys

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

func TestCellsGrid(t *testing.T) {
	// 2024-01-04 is a cell boundary of the 7-day grid: a range starting
	// inside a cell widens to the cell's start, and the last cell is whole.
	got := cells(date("2024-01-06"), date("2024-01-12"), 7)
	if len(got) != 2 {
		t.Fatalf("%d cells, want 2: %v", len(got), got)
	}
	if got[0].Start != date("2024-01-04") || got[0].End != date("2024-01-11") || got[1].End != date("2024-01-18") {
		t.Fatalf("cells %v", got)
	}
	if iv := got[0].interval(); iv != "2024-01-04T00:00:00Z/2024-01-11T00:00:00Z" {
		t.Fatalf("interval %q", iv)
	}
	// The same day always falls in the same cell, whatever the range.
	a := cells(date("2024-01-01"), date("2024-01-09"), 7)
	b := cells(date("2024-01-08"), date("2024-01-09"), 7)
	if a[len(a)-1] != b[0] {
		t.Fatalf("cells of one day differ: %v vs %v", a[len(a)-1], b[0])
	}
	// Before 1970 the grid still holds.
	c := cells(date("1969-12-31"), date("1970-01-02"), 7)
	if len(c) != 2 || c[0].Start != date("1969-12-25") {
		t.Fatalf("pre-epoch cells %v", c)
	}
	if one := cells(date("2024-01-05"), date("2024-01-06"), 1); len(one) != 1 || one[0].Start != date("2024-01-05") {
		t.Fatalf("1-day cells %v", one)
	}
}

func TestPlan(t *testing.T) {
	now := time.Date(2024, 3, 10, 15, 0, 0, 0, time.UTC)
	o := Options{RepullDays: 14}

	if _, err := plan(o, nil, now); err == nil || !strings.Contains(err.Error(), "no start option and no saved cursor") {
		t.Fatalf("first run without start: %v", err)
	}
	// Resume: from the cursor less repull_days to the day after now.
	sp, err := plan(o, map[string]string{CursorName: "2024-03-05"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if sp.from != date("2024-02-20") || sp.to != date("2024-03-11") || sp.cursor != "2024-03-11" {
		t.Fatalf("resume %+v", sp)
	}
	// A backfill of an old range never moves the cursor back.
	o.Start, o.End = date("2023-01-01"), date("2023-02-01")
	sp, err = plan(o, map[string]string{CursorName: "2024-03-05"}, now)
	if err != nil || sp.cursor != "2024-03-05" || sp.from != o.Start || sp.to != o.End {
		t.Fatalf("backfill %+v %v", sp, err)
	}
	if _, err := plan(Options{}, map[string]string{CursorName: "March"}, now); err == nil {
		t.Fatal("a malformed cursor was accepted")
	}
	if _, err := plan(Options{End: date("2024-01-01")}, map[string]string{CursorName: "2024-03-05"}, now); err == nil {
		t.Fatal("an empty interval was accepted")
	}
}

func TestParseOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"start": "2024/01/01", "rate_limit": "fast", "page_size": "500", "api_url": "ftp://x"})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{"client_id is required", "client_secret is required",
		"start: want a date", "rate_limit", "page_size", "api_url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %q", err, want)
		}
	}
	o, err := ParseOptions(map[string]string{"client_id": "id", "client_secret": "s3cret-value", "user_ids": "b, a,b",
		"rate_limit": "300/1m,20/1s", "api_url": "https://api.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.UserIDs, ",") != "a,b" || len(o.Limits) != 2 || o.Limits[1].Requests != 20 || o.Limits[1].Per != time.Second ||
		o.APIURL != "https://api.example.com" || o.LoginURL != DefaultLoginURL || o.PageSize != DefaultPageSize {
		t.Fatalf("parsed %+v", o)
	}
	if s := strings.Join([]string{o.ClientSecret.String()}, ""); strings.Contains(s, "s3cret") {
		t.Fatal("secret printed")
	}
	if _, err := ParseOptions(map[string]string{"client_id": "id", "client_secret": "s", "user_ids": "a,,b"}); err == nil {
		t.Fatal("empty user id accepted")
	}
	if o, err := ParseOptions(map[string]string{"client_id": "id", "client_secret": "s"}); err != nil || o.UserIDs != nil {
		t.Fatalf("without user_ids (every user): %+v %v", o.UserIDs, err)
	}
	if _, err := ParseOptions(map[string]string{"client_id": "id", "client_secret": "s", "user_ids": "a",
		"start": "2024-02-01", "end": "2024-02-01"}); err == nil {
		t.Fatal("end == start accepted")
	}
}

func TestKindDeclaresSecretAndTables(t *testing.T) {
	k := Kind()
	secret := false
	for _, o := range k.Options {
		if o.Name == "client_secret" {
			secret = o.Secret
		}
	}
	if !secret {
		t.Fatal("client_secret is not marked Secret")
	}
	if err := k.CheckOptions(map[string]string{"client_id": "x", "token": "y"}); err == nil {
		t.Fatal("unknown option accepted")
	}
	names := map[string]bool{}
	for _, tb := range k.Tables {
		names[tb.Name] = true
	}
	for _, n := range []string{AppointmentTableName, AttendeeTableName, StatusTableName, AnnotationTableName} {
		if !names[n] {
			t.Errorf("table %s not declared", n)
		}
	}
}
