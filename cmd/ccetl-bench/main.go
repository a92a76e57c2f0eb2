// Command ccetl-bench is the reproducible end-to-end benchmark: it generates
// an input of the requested size, builds ccetl, and converts the input with
// it in a child process, CSV (or Parquet) to zstd Parquet partitioned by
// day (or month), reporting the time, MB/s, the child's peak RSS and the
// output's size. Unless -duckdb=false it also builds the DuckDB tool (the
// module in ./duckdb, which needs cgo) and runs DuckDB's COPY ... TO
// (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ...) on the same input in
// A/B pairs, alternating which engine goes first, and reports the median
// of the per-pair time ratios ccetl/DuckDB.
//
//	go run ./cmd/ccetl-bench -rows 1000000 -kind all
//	go run ./cmd/ccetl-bench -rows 1000000 -duckdb=false   # no cgo toolchain needed
//
// Kinds: whit (WHIT service-interval CSV), contacts (Calabrio bulk contact
// import CSV with its recordings, the bulk-contact kind, partitioned by the
// contact's start day) and parquet (the WHIT table as a day-partitioned
// ccetl lake, re-partitioned by month through the parquet kind).
//
// DuckDB runs with as many threads as the machine has CPUs (-threads),
// which is also what ccetl's GOMAXPROCS defaults to; left alone, DuckDB
// sizes its thread pool itself.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ccetl-bench:", err)
		os.Exit(1)
	}
}

type report struct {
	Rows          int64              `json:"rows"`
	Pairs         int                `json:"pairs"`
	CPUs          int                `json:"cpus"`
	GOMAXPROCS    string             `json:"gomaxprocs,omitempty"` // the environment's, inherited by ccetl
	Threads       int                `json:"duckdb_threads,omitempty"`
	DuckDBVersion string             `json:"duckdb_version,omitempty"`
	BuildSeconds  map[string]float64 `json:"build_seconds"`
	Load          [2]string          `json:"load_average,omitempty"` // 1-minute load before and after the runs
	Kinds         []kindResult       `json:"kinds"`
}

type kindResult struct {
	Kind       string        `json:"kind"`
	Table      string        `json:"table"`
	InputBytes int64         `json:"input_bytes"`
	Ccetl      engineResult  `json:"ccetl"`
	DuckDB     *engineResult `json:"duckdb,omitempty"`
	Ratios     []float64     `json:"ratios,omitempty"`    // ccetl/DuckDB seconds of each pair
	Ratio      float64       `json:"ratio,omitempty"`     // their median
	CPURatio   float64       `json:"cpu_ratio,omitempty"` // the median of the pairs' CPU time ratios
	LayoutDiff string        `json:"layout_diff,omitempty"`
	// RowsDiffer counts the rows only one engine wrote, for kinds whose
	// outputs are compared row by row.
	RowsDiffer *int64 `json:"rows_differ,omitempty"`
	// Iceberg is ccetl writing the same rows into an Iceberg table
	// (iceberg://, the embedded SQLite catalog) in the same pairs, with
	// -iceberg; IcebergRatio is the median of the pairs' Iceberg/Parquet
	// lake times.
	Iceberg      *engineResult `json:"iceberg,omitempty"`
	IcebergRatio float64       `json:"iceberg_ratio,omitempty"`
}

type engineResult struct {
	Runs        []measure `json:"runs"`
	Seconds     float64   `json:"median_seconds"`
	CPUSeconds  float64   `json:"median_cpu_seconds"`
	MBPerSecond float64   `json:"mb_per_s"`    // input bytes over the median time
	PeakRSSMB   float64   `json:"peak_rss_mb"` // the highest of the runs
	OutputBytes int64     `json:"output_bytes"`
	Files       int       `json:"files"`
	Partitions  int       `json:"partitions"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ccetl-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int64("rows", 1_000_000, "rows to generate (of each kind)")
	kind := fs.String("kind", "whit", "what to convert: "+strings.Join(kindNames(), ", ")+" (comma-separated) or all")
	pairs := fs.Int("pairs", 3, "A/B pairs of runs (with -duckdb=false: ccetl runs)")
	withDuckDB := fs.Bool("duckdb", true, "also run DuckDB on the same input (builds the cgo tool in ./duckdb)")
	withIceberg := fs.Bool("iceberg", false, "also run ccetl into an Iceberg table (iceberg://) in the same pairs")
	threads := fs.Int("threads", runtime.NumCPU(), "DuckDB threads")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	dir := fs.String("dir", "", "work folder (default: a temporary folder, removed afterwards)")
	keep := fs.Bool("keep", false, "keep the work folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	ks, err := selectKinds(*kind)
	if err != nil {
		return err
	}
	if *rows < 1 || *pairs < 1 || *threads < 1 {
		return fmt.Errorf("-rows, -pairs and -threads must be at least 1")
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	work := *dir
	if work == "" {
		if work, err = os.MkdirTemp("", "ccetl-bench-*"); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(work)
		}
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	b := &bench{work: work, rows: *rows, threads: *threads, ccetl: filepath.Join(work, "ccetl"), iceberg: *withIceberg}
	rep := report{Rows: *rows, Pairs: *pairs, CPUs: runtime.NumCPU(), GOMAXPROCS: os.Getenv("GOMAXPROCS"),
		BuildSeconds: map[string]float64{}}
	secs, err := goBuild(ctx, root, b.ccetl, "./cmd/ccetl", nil)
	if err != nil {
		return fmt.Errorf("build ccetl: %w", err)
	}
	rep.BuildSeconds["ccetl"] = secs
	fmt.Fprintf(stderr, "built ccetl in %.1f s\n", secs)
	if *withDuckDB {
		b.duckdb = filepath.Join(work, "ccetl-bench-duckdb")
		secs, err := goBuild(ctx, filepath.Join(root, "cmd", "ccetl-bench", "duckdb"), b.duckdb, ".", []string{"CGO_ENABLED=1"})
		if err != nil {
			return fmt.Errorf("build the DuckDB tool (needs cgo and a C compiler; -duckdb=false skips DuckDB): %w", err)
		}
		rep.BuildSeconds["duckdb"] = secs
		rep.Threads = b.threads
		fmt.Fprintf(stderr, "built the DuckDB tool in %.1f s\n", secs)
	}
	rep.Load[0] = loadAverage()
	for _, k := range ks {
		r, version, err := b.runKind(ctx, k, *pairs, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		if version != "" {
			rep.DuckDBVersion = version
		}
		rep.Kinds = append(rep.Kinds, r)
	}
	rep.Load[1] = loadAverage()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printTable(stdout, rep)
}

// runKind prepares k's input and runs the pairs.
func (b *bench) runKind(ctx context.Context, k benchKind, pairs int, stderr io.Writer) (kindResult, string, error) {
	r := kindResult{Kind: k.name, Table: k.table}
	fmt.Fprintf(stderr, "%s: generating %d rows\n", k.name, b.rows)
	inputs, size, err := k.prepare(ctx, b)
	if err != nil {
		return r, "", err
	}
	r.InputBytes = size
	outC, outD, outI := filepath.Join(b.work, "out-ccetl"), filepath.Join(b.work, "out-duckdb"), filepath.Join(b.work, "out-iceberg")
	var cc, dd, ii []measure
	var version string
	for i := range pairs {
		var engines []string
		for _, e := range []string{"ccetl", "duckdb", "iceberg"} {
			if (e == "duckdb" && b.duckdb == "") || (e == "iceberg" && (!b.iceberg || k.lakeOnly)) {
				continue
			}
			engines = append(engines, e)
		}
		if i%2 == 1 {
			slices.Reverse(engines)
		}
		for _, e := range engines {
			var m measure
			var err error
			switch e {
			case "ccetl":
				os.RemoveAll(outC)
				m, err = b.runCcetl(ctx, k, inputs, outC)
				cc = append(cc, m)
			case "iceberg":
				os.RemoveAll(outI)
				m, err = b.runCcetl(ctx, k, inputs, "iceberg://"+outI)
				ii = append(ii, m)
			default:
				os.RemoveAll(outD)
				m, version, err = b.runDuckDB(ctx, k, inputs, outD)
				dd = append(dd, m)
			}
			if err != nil {
				return r, "", err
			}
			fmt.Fprintf(stderr, "%s: pair %d/%d: %s %.2f s (CPU %.2f s), peak RSS %.0f MB\n", k.name, i+1, pairs, e, m.Seconds, m.CPUSeconds, m.PeakRSSMB)
		}
	}
	r.Ccetl = summarize(cc, size)
	if len(ii) > 0 {
		ic := summarize(ii, size)
		r.Iceberg = &ic
		r.IcebergRatio = finite(median(pairedRatios(seconds(ii), seconds(cc))))
	}
	if b.duckdb != "" {
		d := summarize(dd, size)
		r.DuckDB = &d
		r.Ratios = pairedRatios(seconds(cc), seconds(dd))
		r.Ratio = finite(median(r.Ratios))
		r.CPURatio = finite(median(pairedRatios(cpuSeconds(cc), cpuSeconds(dd))))
		r.LayoutDiff = layoutDiff(cc[len(cc)-1].out.partitions, dd[len(dd)-1].out.partitions)
		if k.same != nil {
			n, err := b.differing(ctx, k, k.same(outC, outD))
			if err != nil {
				return r, "", err
			}
			r.RowsDiffer = &n
		}
	}
	return r, version, nil
}

// finite is x, or 0 for the NaN of an empty median (JSON has no NaN).
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func seconds(ms []measure) []float64 {
	s := make([]float64, len(ms))
	for i, m := range ms {
		s[i] = m.Seconds
	}
	return s
}

func cpuSeconds(ms []measure) []float64 {
	s := make([]float64, len(ms))
	for i, m := range ms {
		s[i] = m.CPUSeconds
	}
	return s
}

// summarize takes the median time and the highest RSS of the runs, and
// the last run's output.
func summarize(ms []measure, inputBytes int64) engineResult {
	e := engineResult{Runs: ms, Seconds: median(seconds(ms)), CPUSeconds: median(cpuSeconds(ms))}
	e.MBPerSecond = float64(inputBytes) / 1e6 / e.Seconds
	for _, m := range ms {
		e.PeakRSSMB = math.Max(e.PeakRSSMB, m.PeakRSSMB)
	}
	last := ms[len(ms)-1].out
	e.OutputBytes, e.Files, e.Partitions = last.bytes, last.files, len(last.partitions)
	return e
}

func printTable(w io.Writer, rep report) error {
	fmt.Fprintf(w, "%d rows per kind, %d CPUs", rep.Rows, rep.CPUs)
	if rep.GOMAXPROCS != "" {
		fmt.Fprintf(w, ", GOMAXPROCS=%s", rep.GOMAXPROCS)
	}
	if rep.Threads > 0 {
		fmt.Fprintf(w, ", DuckDB %s on %d threads, %d A/B pairs (medians; ratio: median of the pairs' ccetl/DuckDB)\n", rep.DuckDBVersion, rep.Threads, rep.Pairs)
	} else {
		fmt.Fprintf(w, ", %d runs (median time, highest RSS)\n", rep.Pairs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tinput MB\tccetl s\tduckdb s\tratio\tccetl CPU s\tduckdb CPU s\tCPU ratio\tccetl MB/s\tduckdb MB/s\tccetl RSS MB\tduckdb RSS MB\tccetl out MB\tduckdb out MB\tccetl files\tduckdb files\t")
	for _, k := range rep.Kinds {
		c, d := k.Ccetl, k.DuckDB
		dash := func(f func(*engineResult) string) string {
			if d == nil {
				return "-"
			}
			return f(d)
		}
		ratio, cpuRatio := "-", "-"
		if d != nil {
			ratio, cpuRatio = fmt.Sprintf("%.2f", k.Ratio), fmt.Sprintf("%.2f", k.CPURatio)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%s\t%s\t%.2f\t%s\t%s\t%.0f\t%s\t%.0f\t%s\t%.1f\t%s\t%d\t%s\t\n",
			k.Kind, mb(k.InputBytes), c.Seconds, dash(func(d *engineResult) string { return fmt.Sprintf("%.2f", d.Seconds) }), ratio,
			c.CPUSeconds, dash(func(d *engineResult) string { return fmt.Sprintf("%.2f", d.CPUSeconds) }), cpuRatio,
			c.MBPerSecond, dash(func(d *engineResult) string { return fmt.Sprintf("%.0f", d.MBPerSecond) }),
			c.PeakRSSMB, dash(func(d *engineResult) string { return fmt.Sprintf("%.0f", d.PeakRSSMB) }),
			mb(c.OutputBytes), dash(func(d *engineResult) string { return fmt.Sprintf("%.1f", mb(d.OutputBytes)) }),
			c.Files, dash(func(d *engineResult) string { return fmt.Sprint(d.Files) }))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, k := range rep.Kinds {
		fmt.Fprintf(w, "%s: ccetl s %s", k.Kind, floats(seconds(k.Ccetl.Runs)))
		if k.DuckDB != nil {
			fmt.Fprintf(w, "; duckdb s %s; ratios %s", floats(seconds(k.DuckDB.Runs)), floats(k.Ratios))
			if k.LayoutDiff == "" {
				fmt.Fprintf(w, "; same %d partitions", k.Ccetl.Partitions)
			} else {
				fmt.Fprintf(w, "; layouts differ: %s", k.LayoutDiff)
			}
			if n := k.RowsDiffer; n != nil && *n == 0 {
				fmt.Fprint(w, "; same rows in every column")
			} else if n != nil {
				fmt.Fprintf(w, "; %d rows differ (diff-%s-*.csv in the work folder)", *n, k.Kind)
			}
		} else {
			fmt.Fprintf(w, "; %d partitions", k.Ccetl.Partitions)
		}
		fmt.Fprintln(w)
		if ic := k.Iceberg; ic != nil {
			fmt.Fprintf(w, "%s: into an Iceberg table %.2f s (CPU %.2f s), %.2f times the Parquet lake's time (median of the pairs), peak RSS %.0f MB, %.1f MB in %d files\n",
				k.Kind, ic.Seconds, ic.CPUSeconds, k.IcebergRatio, ic.PeakRSSMB, mb(ic.OutputBytes), ic.Files)
		}
	}
	var builds []string
	for _, n := range []string{"ccetl", "duckdb"} {
		if s, ok := rep.BuildSeconds[n]; ok {
			builds = append(builds, fmt.Sprintf("%s %.1f s", n, s))
		}
	}
	_, err := fmt.Fprintf(w, "builds: %s; load average %s before the runs, %s after, on %d CPUs\n",
		strings.Join(builds, ", "), rep.Load[0], rep.Load[1], rep.CPUs)
	return err
}

func mb(n int64) float64 { return float64(n) / 1e6 }

func floats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " ")
}

// loadAverage is the machine's 1-minute load average, "" where unknown:
// above the number of CPUs, other processes were competing for them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return ""
}

// moduleRoot is the folder of the main module's go.mod, so the benchmark
// runs from anywhere inside the repository.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run inside the ccetl repository (go env GOMOD: %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

// goBuild builds pkg in dir into bin and returns the seconds it took.
func goBuild(ctx context.Context, dir, bin, pkg string, env []string) (float64, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	err := cmd.Run()
	return time.Since(start).Seconds(), err
}
