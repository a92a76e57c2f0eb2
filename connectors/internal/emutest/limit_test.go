package emutest

import (
	"testing"
	"time"
)

func TestWindowsAdmitsUpToEachWindow(t *testing.T) {
	l := NewWindows([]Window{{Requests: 2, Per: time.Second, Name: "second"}, {Requests: 3, Per: time.Minute, Name: "minute"}})
	t0 := time.Unix(1000, 0)
	for i, at := range []time.Duration{0, 100 * time.Millisecond} {
		if _, ok := l.Admit(t0.Add(at)); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	over, ok := l.Admit(t0.Add(500 * time.Millisecond))
	if ok || over.Window.Name != "second" || over.Wait != 500*time.Millisecond {
		t.Fatalf("third request in a second: %+v, %v", over, ok)
	}
	if _, ok := l.Admit(t0.Add(time.Second)); !ok {
		t.Fatal("request after the first left the second window refused")
	}
	over, ok = l.Admit(t0.Add(2 * time.Second))
	if ok || over.Window.Name != "minute" || over.Wait != time.Minute-2*time.Second {
		t.Fatalf("fourth request in a minute: %+v, %v", over, ok)
	}
	if _, ok := l.Admit(t0.Add(time.Minute)); !ok {
		t.Fatal("request a minute later refused")
	}
}

func TestWindowsWaitCoversEveryFullWindow(t *testing.T) {
	l := NewWindows([]Window{{Requests: 1, Per: time.Second}, {Requests: 1, Per: 3 * time.Second}})
	t0 := time.Unix(1000, 0)
	l.Admit(t0)
	over, ok := l.Admit(t0.Add(time.Second / 2))
	if ok || over.Window.Per != time.Second || over.Wait != 2500*time.Millisecond {
		t.Fatalf("got %+v, %v", over, ok)
	}
}

func TestWindowsRefusedRequestsDoNotCount(t *testing.T) {
	l := NewWindows([]Window{{Requests: 1, Per: time.Second}})
	t0 := time.Unix(1000, 0)
	l.Admit(t0)
	for i := 1; i < 10; i++ {
		if _, ok := l.Admit(t0.Add(time.Duration(i) * 50 * time.Millisecond)); ok {
			t.Fatalf("request %d admitted", i)
		}
	}
	if _, ok := l.Admit(t0.Add(time.Second)); !ok {
		t.Fatal("refused requests counted against the window")
	}
}

func TestWindowsNoneAndReset(t *testing.T) {
	free := NewWindows(nil)
	for range 100 {
		if _, ok := free.Admit(time.Unix(1000, 0)); !ok {
			t.Fatal("no windows refused a request")
		}
	}
	l := NewWindows([]Window{{Requests: 1, Per: time.Hour}})
	l.Admit(time.Unix(1000, 0))
	l.Reset()
	if _, ok := l.Admit(time.Unix(1001, 0)); !ok {
		t.Fatal("Reset kept the history")
	}
}

func TestRetryAfter(t *testing.T) {
	for wait, want := range map[time.Duration]string{
		40 * time.Millisecond: "0.041", 999 * time.Millisecond: "1.000",
		time.Second: "1", 1500 * time.Millisecond: "2", time.Minute: "60",
	} {
		if got := RetryAfter(wait); got != want {
			t.Errorf("RetryAfter(%v) = %q, want %q", wait, got, want)
		}
	}
}
