// Command ccetl-bench is the reproducible end-to-end benchmark: it generates
// a WHIT service-interval CSV of the requested size, builds ccetl, converts the
// file with it in a child process, and reports MB/s and the child's peak RSS.
//
//	go run ./cmd/ccetl-bench -rows 1000000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ccetl-bench:", err)
		os.Exit(1)
	}
}

type result struct {
	Rows        int64   `json:"rows"`
	InputBytes  int64   `json:"input_bytes"`
	Seconds     float64 `json:"seconds"`
	MBPerSecond float64 `json:"mb_per_s"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	OutputBytes int64   `json:"output_bytes"`
	Files       int     `json:"files"`
	GOMAXPROCS  string  `json:"gomaxprocs"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ccetl-bench", flag.ContinueOnError)
	rows := fs.Int64("rows", 1_000_000, "rows of WHIT CSV to generate")
	dir := fs.String("dir", "", "work folder (default: a temporary folder, removed afterwards)")
	keep := fs.Bool("keep", false, "keep the work folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	work := *dir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "ccetl-bench-*"); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(work)
		}
	}
	in := filepath.Join(work, "whit.csv")
	size, err := generate(in, *rows)
	if err != nil {
		return err
	}
	bin := filepath.Join(work, "ccetl")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ccetl")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build ccetl (run from the repository root): %w", err)
	}
	out := filepath.Join(work, "out")
	os.RemoveAll(out)
	cmd := exec.CommandContext(ctx, bin, "convert", "--kind", "whit", "--out", out, "--json", in)
	cmd.Stderr = os.Stderr
	start := time.Now()
	summary, err := cmd.Output()
	secs := time.Since(start).Seconds()
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	var s struct {
		RowsOut int64 `json:"rows_out"`
		Files   []struct {
			Bytes int64 `json:"bytes"`
		} `json:"files"`
	}
	if err := json.Unmarshal(summary, &s); err != nil {
		return fmt.Errorf("convert summary: %w", err)
	}
	if s.RowsOut != *rows {
		return fmt.Errorf("converted %d rows, generated %d", s.RowsOut, *rows)
	}
	r := result{Rows: *rows, InputBytes: size, Seconds: secs, MBPerSecond: float64(size) / 1e6 / secs,
		Files: len(s.Files), GOMAXPROCS: os.Getenv("GOMAXPROCS")}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	for _, f := range s.Files {
		r.OutputBytes += f.Bytes
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
