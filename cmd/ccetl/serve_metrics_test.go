package main

import (
	"io"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ccetl/ccetl/jobs/schedule"
)

// Scrapes at once each see every job's schedule gauges: one scrape's
// refill does not empty another's.
func TestConcurrentScrapesSeeTheGauges(t *testing.T) {
	m := newMetrics()
	status := func() []schedule.JobStatus {
		runtime.Gosched() // let another scrape in between the reset and the refill
		return []schedule.JobStatus{{Name: "every", Running: 1}}
	}
	h := m.handler(status)
	var wg sync.WaitGroup
	var mu sync.Mutex
	missing := 0
	for range 200 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			body, _ := io.ReadAll(rec.Body)
			if !strings.Contains(string(body), `ccetl_job_running{job="every"} 1`) {
				mu.Lock()
				missing++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if missing > 0 {
		t.Fatalf("%d of 200 scrapes lacked the running gauge", missing)
	}
}
