package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/jobs"
)

// writeIntervals writes n WHIT rows with unique keys: 50 services, 48
// half-hour periods a day, as many days as it takes; it returns the days.
func writeIntervals(b testing.TB, path string, n int) (days int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "serviceNumber,serviceName,date,period,receivedCalls,handledCalls,abandonedCalls,avgTalkTime,avgACWTime,ASA,serviceLevel")
	for i := range n {
		d := i / (50 * 48)
		p := (i / 50) % 48
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		fmt.Fprintf(w, "%d,Queue %d,%s,%02d:%02d,%d,%d,%d,%d.5,%d,%d,%d\n", 1000+i%50, i%50, day.Format("2006-01-02"),
			p/2, 30*(p%2), 40+i%20, 38+i%20, 2, 200+i%90, 30+i%20, 10+i%30, 60+i%40)
		days = d + 1
	}
	w.Flush()
	f.Close()
	return days
}

// BenchmarkWHITPush pushes 100,000 WHIT rows (one upload per day) into the
// emulator with `ccetl run` in a process of its own, and after each push
// posts the same uploads with a plain http.Client (untimed): x-upload is
// the median over the pushes of the push's time (the whole process:
// reading, planning, uploading, push_results) over the bare uploads' just
// after it, so that the emulator's own drift as it keeps more data cancels
// out; apply-x-upload the same for the push's apply phase; peak-RSS-MB is
// the ccetl process's; uploads/op must equal the days.
//
// It runs against the emulator as it is (an upload of a day's 2,400 rows
// takes it about 7 ms) and with every upload taking 50 ms more, as a
// tenant across a network does (the bare uploads too), each with the
// whole plan made before the first upload (window=all) and streamed in
// windows (the default).
//
//	go test -run '^$' -bench WHITPush -benchtime 3x ./cmd/ccetl
//
// With CCETL_PUSH_PROFILE=DIR each push also writes its CPU profile, heap
// profile and execution trace into DIR (cpuN, heapN, traceN).
func BenchmarkWHITPush(b *testing.B) {
	dir := b.TempDir()
	input := filepath.Join(dir, "whit.csv")
	days := writeIntervals(b, input, 100_000)
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		for _, window := range []string{"all", fmt.Sprint(jobs.DefaultWindow)} {
			b.Run(fmt.Sprintf("upload+%s/window=%s", latency, window), func(b *testing.B) {
				benchWHITPush(b, input, days, latency, window)
			})
		}
	}
}

func benchWHITPush(b *testing.B, input string, days int, latency time.Duration, window string) {
	dir := b.TempDir()
	fi, _ := os.Stat(input)
	var opts calabriotest.Options
	if latency > 0 {
		opts.OnRequest = func(r *http.Request) {
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/upload/") {
				time.Sleep(latency)
			}
		}
	}
	e := calabriotest.NewServer(opts)
	defer e.Close()
	post := rawUploads(b, e, input)
	post() // the emulator's first uploads of these days, which insert rather than replace
	b.SetBytes(fi.Size())
	var planSec float64
	var xUpload, xApply []float64
	var peak float64 // the ccetl process's, in MiB
	for i := 0; b.Loop(); i++ {
		rundir := filepath.Join(dir, fmt.Sprint("run", i))
		os.MkdirAll(rundir, 0o755)
		job := intervalPushJob(b, filepath.Join(rundir, "bench.yaml"), input, e.URL, "1", "100000/1s", rundir+"/out", "window: "+window)
		before := e.Stats().Routes["POST upload/historical"]
		start := time.Now()
		args := []string{"run", "--json"}
		if d := os.Getenv("CCETL_PUSH_PROFILE"); d != "" {
			args = append(args, "--cpuprofile", filepath.Join(d, fmt.Sprint("cpu", i)), "--memprofile", filepath.Join(d, fmt.Sprint("heap", i)),
				"--trace", filepath.Join(d, fmt.Sprint("trace", i)))
		}
		cmd := ccetlCommand(b, append(args, job)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("ccetl run: %v\n%s", err, stderr.Bytes())
		}
		took := time.Since(start)
		var sum struct {
			Push struct {
				Plan  float64 `json:"plan_seconds"`
				Apply float64 `json:"apply_seconds"`
			} `json:"push"`
			PeakRSSMB float64 `json:"peak_rss_mb"`
		}
		if err := json.Unmarshal(out, &sum); err != nil || sum.Push.Apply <= 0 {
			b.Fatalf("ccetl run --json: %v (apply %v s)\n%s", err, sum.Push.Apply, out)
		}
		planSec += sum.Push.Plan
		// the process's own report: getrusage's maxrss of a child started
		// from this (large) process counts this process's memory too
		peak = max(peak, sum.PeakRSSMB)
		if n := e.Stats().Routes["POST upload/historical"] - before; n != days {
			b.Fatalf("%d uploads, want %d (one per day)", n, days)
		}
		b.StopTimer()
		raw := post()
		b.StartTimer()
		xUpload = append(xUpload, took.Seconds()/raw.Seconds())
		xApply = append(xApply, sum.Push.Apply/raw.Seconds())
	}
	b.ReportMetric(float64(days), "uploads/op")
	b.ReportMetric(median(xUpload), "x-upload")
	b.ReportMetric(median(xApply), "apply-x-upload")
	b.ReportMetric(planSec/float64(b.N), "plan-s")
	b.ReportMetric(peak, "peak-RSS-MB")
}

// rawUploads returns a function that posts the file's rows as one
// multipart CSV upload per day with a plain client and returns the time it
// took.
func rawUploads(b *testing.B, e *calabriotest.Emulator, input string) func() time.Duration {
	data, _ := os.ReadFile(input)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	header := lines[0]
	byDay := map[string][]string{}
	var order []string
	for _, l := range lines[1:] {
		d := strings.Split(l, ",")[2]
		if byDay[d] == nil {
			order = append(order, d)
		}
		byDay[d] = append(byDay[d], l)
	}
	jar := &http.Client{}
	login, _ := http.NewRequest(http.MethodPost, e.URL+"/api/rest/authorize", strings.NewReader(
		fmt.Sprintf(`{"username":%q,"password":%q,"language":"en"}`, calabriotest.DefaultUsername, calabriotest.DefaultPassword)))
	login.Header.Set("Content-Type", "application/json")
	resp, err := jar.Do(login)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	ids := e.IssuedSessions()
	if len(ids) == 0 {
		b.Fatal("no session")
	}
	cookies := []*http.Cookie{{Name: calabriotest.CookieName, Value: ids[len(ids)-1]}}
	return func() time.Duration {
		start := time.Now()
		postDays(b, jar, e, cookies, header, order, byDay)
		return time.Since(start)
	}
}

// median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func postDays(b *testing.B, jar *http.Client, e *calabriotest.Emulator, cookies []*http.Cookie, header string, order []string, byDay map[string][]string) {
	for _, d := range order {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", "historical.csv")
		fmt.Fprintln(w, header)
		fmt.Fprintln(w, strings.Join(byDay[d], "\n"))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/api/upload/historicalData?"+url.Values{"acdServerId": {"9"}}.Encode(), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := jar.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("raw upload: %v %v", err, resp)
		}
		resp.Body.Close()
	}
}
