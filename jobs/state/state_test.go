package state

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

func win(a, b int) Window { return Window{Start: day(a), End: day(b)} }

func TestBackfillWindows(t *testing.T) {
	var s State
	s.MarkDone(win(5, 6))
	s.MarkDone(win(1, 2))
	s.MarkDone(win(2, 3)) // touches [1,2): merges
	s.MarkDone(win(10, 12))
	s.MarkDone(win(11, 11)) // empty: ignored
	if want := []Window{win(1, 3), win(5, 6), win(10, 12)}; !slices.Equal(s.Backfill, want) {
		t.Fatalf("Backfill = %v, want %v", s.Backfill, want)
	}
	if got, want := s.Gaps(win(1, 13)), []Window{win(3, 5), win(6, 10), win(12, 13)}; !slices.Equal(got, want) {
		t.Fatalf("Gaps = %v, want %v", got, want)
	}
	if got, want := s.Gaps(win(2, 5)), []Window{win(3, 5)}; !slices.Equal(got, want) {
		t.Fatalf("Gaps(2,5) = %v, want %v", got, want)
	}
	if !s.Done(win(1, 3)) || !s.Done(win(10, 11)) || s.Done(win(2, 4)) {
		t.Fatal("Done")
	}
	s.MarkDone(win(2, 11))
	if want := []Window{win(1, 12)}; !slices.Equal(s.Backfill, want) {
		t.Fatalf("after covering the gaps Backfill = %v, want %v", s.Backfill, want)
	}
}

func TestProcessedAndCursors(t *testing.T) {
	var s State
	if s.Seen("s3://b/a.csv", "e1") || s.Cursor("x") != "" {
		t.Fatal("empty state has entries")
	}
	s.MarkProcessed("s3://b/a.csv", "e1")
	s.MarkProcessed("s3://b/b.csv", "e2")
	s.SetCursor("contacts", "42")
	if !s.Seen("s3://b/a.csv", "e1") || s.Seen("s3://b/a.csv", "e9") || s.Cursor("contacts") != "42" {
		t.Fatal("Seen / Cursor")
	}
	s.KeepProcessed(func(name string) bool { return name == "s3://b/b.csv" })
	if s.Seen("s3://b/a.csv", "e1") || !s.Seen("s3://b/b.csv", "e2") {
		t.Fatalf("KeepProcessed: %v", s.Processed)
	}
	data, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(data, &back); err != nil || !back.Seen("s3://b/b.csv", "e2") || back.Cursor("contacts") != "42" {
		t.Fatalf("round trip %s: %+v, %v", data, back, err)
	}
}
