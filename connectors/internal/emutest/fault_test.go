package emutest

import "testing"

type fault struct {
	path   string
	status int
}

func take(q *Faults[fault], path string) int {
	f, ok := q.Take(func(f fault) bool { return f.path == "" || f.path == path })
	if !ok {
		return 0
	}
	return f.status
}

func TestFaultsAfterAndTimes(t *testing.T) {
	var q Faults[fault]
	q.Add(fault{status: 503}, 1, 2)
	got := []int{take(&q, "/a"), take(&q, "/a"), take(&q, "/a"), take(&q, "/a")}
	if want := []int{0, 503, 503, 0}; !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFaultsMatchInOrder(t *testing.T) {
	var q Faults[fault]
	q.Add(fault{path: "/a", status: 500}, 0, 0)
	q.Add(fault{status: 429}, 0, 0)
	got := []int{take(&q, "/b"), take(&q, "/a"), take(&q, "/a")}
	if want := []int{429, 500, 0}; !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFaultsPassOnWhileAfterLasts(t *testing.T) {
	var q Faults[fault]
	q.Add(fault{status: 500}, 1, 1)
	q.Add(fault{status: 429}, 0, 1)
	got := []int{take(&q, "/a"), take(&q, "/a"), take(&q, "/a")}
	if want := []int{429, 500, 0}; !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFaultsBlocking(t *testing.T) {
	q := Faults[fault]{Blocking: true}
	q.Add(fault{status: 500}, 1, 1)
	q.Add(fault{status: 429}, 0, 1)
	got := []int{take(&q, "/a"), take(&q, "/a"), take(&q, "/a"), take(&q, "/a")}
	if want := []int{0, 500, 429, 0}; !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
