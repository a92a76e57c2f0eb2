package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ccetl/ccetl/cmd/internal/procmem"
)

// bench holds what the runs share: the work folder, the binaries and the
// generated inputs.
type bench struct {
	work         string
	rows         int64
	threads      int
	ccetl        string // the ccetl binary
	duckdb       string // the DuckDB tool's binary, "" when DuckDB is skipped
	whitBytes    int64  // the WHIT CSV's size once generated
	contactBytes int64  // the bulk contact CSV's, once generated
	iceberg      bool   // also convert into an Iceberg table
}

// measure is one child process's run.
type measure struct {
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"` // user and system
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	rows       int64
	out        outputStats
}

// outputStats describes the Parquet files under a table folder.
type outputStats struct {
	bytes      int64
	files      int
	partitions []string // the partition folders holding them, sorted
}

// timed runs cmd, returning its stdout, wall time, CPU time and peak RSS.
// The CPU time varies less than the wall time on a busy machine. It flushes
// the previous runs' writes to disk first, untimed, so neither engine pays
// for the other's.
func timed(cmd *exec.Cmd) ([]byte, measure, error) {
	var m measure
	cmd.Stderr = os.Stderr
	syscall.Sync()
	start := time.Now()
	out, err := cmd.Output()
	m.Seconds = time.Since(start).Seconds()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
			m.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
	}
	// A child's maxrss counts this process's memory too (Linux carries it
	// over the exec): the figure is the child's only while this process
	// stays smaller, which it does, streaming what it generates. ccetl
	// tells its own (runCcetl reads it); DuckDB's is checked here.
	if self := procmem.PeakRSSMB("self"); err == nil && self >= m.PeakRSSMB {
		fmt.Fprintf(os.Stderr, "ccetl-bench: warning: %s's peak RSS (%.0f MB) may be this process's own (%.0f MB)\n",
			filepath.Base(cmd.Path), m.PeakRSSMB, self)
	}
	return out, m, err
}

// runCcetl converts inputs with ccetl into out and checks that every
// generated row was written and none rejected.
func (b *bench) runCcetl(ctx context.Context, k benchKind, inputs []string, out string) (measure, error) {
	args := append([]string{"convert", "--out", out, "--json"}, k.ccetlArgs(inputs)...)
	stdout, m, err := timed(exec.CommandContext(ctx, b.ccetl, args...))
	if err != nil {
		return m, fmt.Errorf("ccetl convert: %w", err)
	}
	var s struct {
		PeakRSSMB    float64 `json:"peak_rss_mb"` // its own, where it can tell
		RowsRejected int64   `json:"rows_rejected"`
		Steps        []struct {
			Tables map[string]struct {
				RowsOut int64 `json:"rows_out"`
			} `json:"tables"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(stdout, &s); err != nil {
		return m, fmt.Errorf("ccetl convert summary: %w", err)
	}
	for _, st := range s.Steps {
		m.rows += st.Tables[k.table].RowsOut
	}
	if s.PeakRSSMB > 0 {
		m.PeakRSSMB = s.PeakRSSMB
	}
	if s.RowsRejected != 0 {
		return m, fmt.Errorf("ccetl rejected %d rows of %s (see %s)", s.RowsRejected, k.name, filepath.Join(out, "_rejects"))
	}
	if m.rows != b.rows {
		return m, fmt.Errorf("ccetl wrote %d rows of %s into %s, generated %d", m.rows, k.name, k.table, b.rows)
	}
	dir := filepath.Join(out, k.table)
	if wh, ok := strings.CutPrefix(out, "iceberg://"); ok {
		dir = filepath.Join(wh, "ccetl.db", k.table) // the default namespace's table location
	}
	m.out, err = scanOutput(dir)
	return m, err
}

// runDuckDB runs k's COPY statements with the DuckDB tool on b.threads
// threads and checks the first wrote every generated row.
func (b *bench) runDuckDB(ctx context.Context, k benchKind, inputs []string, out string) (measure, string, error) {
	stmts := k.duckdb(inputs, out)
	stdout, m, err := timed(b.duckdbCmd(ctx, stmts))
	if err != nil {
		return m, "", fmt.Errorf("duckdb: %w", err)
	}
	version, rows, err := duckdbSummary(stdout, len(stmts))
	if err != nil {
		return m, "", err
	}
	m.rows = rows[0]
	if m.rows != b.rows {
		return m, version, fmt.Errorf("duckdb wrote %d rows of %s, generated %d", m.rows, k.name, b.rows)
	}
	m.out, err = scanOutput(out)
	return m, version, err
}

// duckdbCmd is the DuckDB tool running stmts on b.threads threads.
func (b *bench) duckdbCmd(ctx context.Context, stmts []string) *exec.Cmd {
	return exec.CommandContext(ctx, b.duckdb, append([]string{"-threads", strconv.Itoa(b.threads)}, stmts...)...)
}

// duckdbSummary reads the DuckDB tool's output: its version and the rows
// each of its n statements affected.
func duckdbSummary(stdout []byte, n int) (string, []int64, error) {
	var s struct {
		Version    string `json:"version"`
		Statements []struct {
			Rows int64 `json:"rows"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(stdout, &s); err != nil || len(s.Statements) != n {
		return "", nil, fmt.Errorf("duckdb summary %q: %v", stdout, err)
	}
	rows := make([]int64, n)
	for i, st := range s.Statements {
		rows[i] = st.Rows
	}
	return s.Version, rows, nil
}

// differing counts the distinct rows found more often in one of each pair
// of Parquet globs than in the other, matching columns by name (values
// compared after DuckDB's casts: a timestamp in milliseconds equals the
// same instant in microseconds): 0 when both engines wrote the same rows.
// The rows that differ are written to the work folder.
func (b *bench) differing(ctx context.Context, k benchKind, pairs [][2]string) (int64, error) {
	var stmts []string
	for i, p := range pairs {
		diff := filepath.Join(b.work, fmt.Sprintf("diff-%s-%d.csv", k.name, i))
		stmts = append(stmts, fmt.Sprintf(`COPY (
  SELECT * EXCLUDE (side), sum(side) AS ccetl_minus_duckdb FROM (
    SELECT *, 1 AS side FROM read_parquet(%s, hive_partitioning = false)
    UNION ALL BY NAME
    SELECT *, -1 AS side FROM read_parquet(%s, hive_partitioning = false))
  GROUP BY ALL HAVING sum(side) <> 0
) TO %s (FORMAT csv)`, sqlString(p[0]), sqlString(p[1]), sqlString(diff)))
	}
	out, err := b.duckdbCmd(ctx, stmts).Output()
	if err != nil {
		return 0, fmt.Errorf("compare the engines' tables: %w", err)
	}
	_, rows, err := duckdbSummary(out, len(stmts))
	var n int64
	for _, r := range rows {
		n += r
	}
	return n, err
}

// scanOutput sums the Parquet files under dir and lists their partition
// folders (relative to dir).
func scanOutput(dir string) (outputStats, error) {
	var st outputStats
	parts := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st.bytes += info.Size()
		st.files++
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		parts[filepath.ToSlash(rel)] = true
		return nil
	})
	for p := range parts {
		st.partitions = append(st.partitions, p)
	}
	slices.Sort(st.partitions)
	return st, err
}

// layoutDiff compares two engines' partition folders: "" when they are
// the same, else what differs.
func layoutDiff(a, b []string) string {
	if slices.Equal(a, b) {
		return ""
	}
	only := func(x, y []string) []string {
		var d []string
		for _, p := range x {
			if _, ok := slices.BinarySearch(y, p); !ok {
				d = append(d, p)
			}
		}
		return d
	}
	oa, ob := only(a, b), only(b, a)
	return fmt.Sprintf("%d partitions against %d; only ccetl: %s; only duckdb: %s", len(a), len(b), head(oa), head(ob))
}

func head(s []string) string {
	if len(s) > 3 {
		return strings.Join(s[:3], " ") + fmt.Sprintf(" (and %d more)", len(s)-3)
	}
	return strings.Join(s, " ")
}
