package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// BenchmarkTemporalBackfill backfills 40 days of four MaestroQA tenants
// (four jobs, 4 windows each, each tenant its own emulator enforcing the
// scaled limits 1 request per 20ms and 30 per 1.2s, every answer taking 1s)
// on 1, 2 and 4 workers that run one window at a time each. Wall time
// falls with workers until each tenant's own chain of windows (its rate
// limits' cooldown between windows) binds; no request is ever refused.
//
//	eval "$(bash .ci/temporal.sh start)"
//	go test -run '^$' -bench TemporalBackfill -benchtime 1x ./cmd/ccetl
func BenchmarkTemporalBackfill(b *testing.B) {
	addr := os.Getenv("CCETL_TEST_TEMPORAL")
	if addr == "" {
		b.Skip("no Temporal dev server (eval \"$(bash .ci/temporal.sh start)\")")
	}
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			limits := maestroqatest.ScaledLimits(20 * time.Millisecond)
			dir := b.TempDir()
			var emus []*maestroqatest.Emulator
			var files []string
			for i := range 4 {
				emu := maestroqatest.New(b, maestroqatest.Config{Limits: limits})
				emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 80, First: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
				url := slowProxy(b, emu.URL(), time.Second)
				tok := filepath.Join(dir, fmt.Sprintf("token-%d", i))
				os.WriteFile(tok, []byte(emu.Token()), 0o600)
				job := filepath.Join(dir, fmt.Sprintf("tenant-%d.yaml", i))
				os.WriteFile(job, []byte(fmt.Sprintf("name: tenant-%d\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+
					"      base_url: %s\n      api_token_file: %s\n      window_days: \"10\"\n      repull_days: \"0\"\n      max_attempts: \"1\"\n"+
					"      rate_limit: %s\nsink: {url: %s}\n", i, url, tok, maestroqatest.RateLimit(limits), filepath.Join(dir, fmt.Sprintf("out-%d", i)))), 0o644)
				emus = append(emus, emu)
				files = append(files, job)
			}
			queue := fmt.Sprintf("ccetl-bench-%d-%d", n, time.Now().UnixNano())
			for range n {
				startWorkerArgs(b, addr, queue, []string{"--concurrency", "1"}, dir)
			}
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				errs := make([]string, len(files))
				for i, job := range files {
					wg.Add(1)
					go func() {
						defer wg.Done()
						code, _, stderr := callB(b, "backfill", "--engine", "temporal", "--temporal", addr, "--task-queue", queue,
							"--wait", "--again", "--json", "--from", "2024-01-01", "--to", "2024-02-10", job)
						if code != exitOK {
							errs[i] = stderr
						}
					}()
				}
				wg.Wait()
				for _, e := range errs {
					if e != "" {
						b.Fatal(e)
					}
				}
			}
			b.StopTimer()
			refused := 0
			for _, emu := range emus {
				refused += emu.Counts().TooMany
			}
			if refused != 0 {
				b.Fatalf("the emulators answered %d requests 429", refused)
			}
			b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "windows/s")
		})
	}
}

// callB runs the command in-process, as call does, for benchmarks.
func callB(b *testing.B, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := report(run(context.Background(), args, &out, &errb), &errb)
	return code, out.String(), errb.String()
}
