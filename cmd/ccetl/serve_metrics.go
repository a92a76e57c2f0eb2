package main

import (
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
)

// metrics are the Prometheus metrics of `ccetl serve`, in a registry of
// their own.
type metrics struct {
	reg                                   *prometheus.Registry
	runs                                  *prometheus.CounterVec
	rowsIn, rowsOut, rowsRejected         *prometheus.CounterVec
	requests, retries, tooMany            *prometheus.CounterVec
	duration                              *prometheus.HistogramVec
	lastSuccess, nextRun, running, paused *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ccetl", Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ccetl", Name: name, Help: help}, labels)
		m.reg.MustRegister(g)
		return g
	}
	m.runs = counter("runs_total", "Runs and ticks not run, by job, trigger and outcome (ok, rejected, failed, cancelled, skipped, missed).", "job", "trigger", "outcome")
	m.rowsIn = counter("rows_in_total", "Rows read, by job and table.", "job", "table")
	m.rowsOut = counter("rows_out_total", "Rows written, by job and table.", "job", "table")
	m.rowsRejected = counter("rows_rejected_total", "Rows rejected, by job and table.", "job", "table")
	m.requests = counter("requests_total", "HTTP requests to vendor APIs, by job and vendor.", "job", "vendor")
	m.retries = counter("retries_total", "Retried requests to vendor APIs, by job and vendor.", "job", "vendor")
	m.tooMany = counter("too_many_requests_total", "429 answers from vendor APIs, by job and vendor.", "job", "vendor")
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "ccetl", Name: "run_duration_seconds",
		Help: "Duration of runs, by job.", Buckets: prometheus.ExponentialBuckets(1, 2.5, 12)}, []string{"job"})
	m.reg.MustRegister(m.duration)
	m.lastSuccess = gauge("last_success_timestamp_seconds", "When the job's last successful run finished (Unix time).", "job")
	m.nextRun = gauge("next_run_timestamp_seconds", "When the job's next tick fires (Unix time).", "job")
	m.running = gauge("job_running", "Runs of the job running now.", "job")
	m.paused = gauge("job_paused", "1 when the job is paused.", "job")
	return m
}

// observe counts a run (or a tick not run) from its report.
func (m *metrics) observe(r jobs.RunReport) {
	m.runs.WithLabelValues(r.Job, r.Trigger, r.Outcome).Inc()
	for name, t := range r.Tables {
		m.rowsIn.WithLabelValues(r.Job, name).Add(float64(t.RowsIn))
		m.rowsOut.WithLabelValues(r.Job, name).Add(float64(t.RowsOut))
		m.rowsRejected.WithLabelValues(r.Job, name).Add(float64(t.RowsRejected))
	}
	if r.Summary != nil {
		for _, st := range r.Summary.Steps {
			v := vendor(st.Kind)
			m.requests.WithLabelValues(r.Job, v).Add(float64(jobs.ReportCount(st.Report, "requests")))
			m.retries.WithLabelValues(r.Job, v).Add(float64(jobs.ReportCount(st.Report, "retries")))
			m.tooMany.WithLabelValues(r.Job, v).Add(float64(jobs.ReportCount(st.Report, "too_many_requests")))
		}
	}
	if r.Outcome == jobs.OutcomeMissed || r.Outcome == jobs.OutcomeSkipped {
		return
	}
	m.duration.WithLabelValues(r.Job).Observe(r.Seconds)
	if r.Outcome == jobs.OutcomeOK || r.Outcome == jobs.OutcomeRejected {
		m.lastSuccess.WithLabelValues(r.Job).Set(float64(r.Finished.UnixMilli()) / 1000)
	}
}

// vendor is the vendor part of a kind name: maestroqa-coaching-api is
// maestroqa.
func vendor(kind string) string {
	v, _, _ := strings.Cut(kind, "-")
	return v
}

// handler serves the metrics, the schedule gauges read at each scrape.
func (m *metrics) handler(status func() []schedule.JobStatus) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	var scrape sync.Mutex // one scrape at a time: another's Reset would empty the gauges this one serves
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scrape.Lock()
		defer scrape.Unlock()
		m.nextRun.Reset()
		m.running.Reset()
		m.paused.Reset()
		for _, st := range status() {
			if !st.Next.IsZero() {
				m.nextRun.WithLabelValues(st.Name).Set(float64(st.Next.Unix()))
			}
			m.running.WithLabelValues(st.Name).Set(float64(st.Running))
			p := 0.0
			if st.Paused {
				p = 1
			}
			m.paused.WithLabelValues(st.Name).Set(p)
		}
		h.ServeHTTP(w, r)
	})
}
