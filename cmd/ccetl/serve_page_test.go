package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium to drive. Without one the test skips, except
// under CI=true, where .ci/run installs Debian's chromium: there a missing
// browser fails the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (CI installs it)")
	return ""
}

// TestStatusPageInBrowser loads the status page of a running `ccetl serve`
// in headless Chromium: a job that just ran shows as ok with its counts, a
// failed run shows as failed (in red) with its error on its report page,
// and the browser fetches nothing but the page itself. A screenshot is
// kept in $CCETL_ARTIFACTS (or the test's temporary folder).
func TestStatusPageInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	out := filepath.Join(dir, "out")
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(fmt.Sprintf("name: good\nschedule: \"@daily\"\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", in, out)), 0o644)
	os.WriteFile(bad, []byte(fmt.Sprintf("name: bad\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", filepath.Join(dir, "missing.csv"), out)), 0o644)
	s := startServe(t, good, bad)
	for _, job := range []string{"good", "bad"} {
		if code, _, stderr := call(t, "serve", "trigger", job, "--addr", s.addr); code != exitOK {
			t.Fatalf("trigger %s: %s", job, stderr)
		}
	}
	waitRuns(t, good, "the good run", func(r []shortReport) bool { return len(r) == 1 && r[0].Outcome == "ok" })
	badRuns := waitRuns(t, bad, "the bad run", func(r []shortReport) bool { return len(r) == 1 && r[0].Outcome == "failed" })

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var fetched []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			fetched = append(fetched, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("browser: %v", err)
	}
	base := "http://" + s.addr
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(`tr.job[data-job="good"]`)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser: %s: %v", sel, err)
		}
		return v
	}
	goodRow, badRow := text(`tr.job[data-job="good"]`), text(`tr.job[data-job="bad"]`)
	runsText := text(`#job-good ~ table.runs`)
	badColor, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('tr.job[data-job="bad"] .outcome.failed')).color`))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	artifacts := os.Getenv("CCETL_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	os.MkdirAll(artifacts, 0o755)
	png := filepath.Join(artifacts, "status-page.png")
	if err := os.WriteFile(png, shot, 0o644); err != nil || len(shot) < 1000 {
		t.Errorf("screenshot: %d bytes, %v", len(shot), err)
	}
	t.Logf("screenshot: %s", png)
	if !strings.Contains(goodRow, "ok") || !strings.Contains(goodRow, "whit") || !strings.Contains(goodRow, "@daily") {
		t.Errorf("good job row: %q", goodRow)
	}
	// the runs table: trigger, outcome and the counts (4 rows in, 4 out, 0 rejected, 2 files)
	if !strings.Contains(runsText, "manual") || !strings.Contains(runsText, "ok\t4\t4\t0\t2") {
		t.Errorf("good job's runs: %q", runsText)
	}
	if !strings.Contains(badRow, "failed") || badColor != "rgb(176, 0, 32)" {
		t.Errorf("bad job row: %q, outcome colour %q", badRow, badColor)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/runs/"+badRuns[0].RunID), chromedp.WaitVisible(`#outcome`)); err != nil {
		t.Fatalf("run page: %v", err)
	}
	if outcome, errText := text(`#outcome`), text(`td.failed`); outcome != "failed" || !strings.Contains(errText, "missing.csv") {
		t.Errorf("run page of the failed run: outcome %q, error %q", outcome, errText)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range fetched {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("the page fetched %s", u)
		}
	}
	if len(fetched) < 2 {
		t.Errorf("requests seen: %v", fetched)
	}
}
