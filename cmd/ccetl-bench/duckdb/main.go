// Command ccetl-bench-duckdb runs SQL statements in an in-process DuckDB
// database, for ccetl-bench to time DuckDB on the same input and cores as
// ccetl. It lives in a module of its own because DuckDB needs cgo: the
// ccetl binary and its module stay pure Go.
//
//	ccetl-bench-duckdb -threads 2 "COPY (SELECT * FROM read_csv('in.csv')) TO 'out' (FORMAT parquet, PARTITION_BY (dt))"
//
// Each argument is one statement, run in order on one connection after
// "SET threads" (DuckDB otherwise uses every core of the machine). It prints
// one JSON object on stdout: the rows each statement affected (for COPY, the
// rows written) and the seconds it took.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ccetl-bench-duckdb:", err)
		os.Exit(1)
	}
}

type statement struct {
	SQL     string  `json:"sql"`
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"`
}

type summary struct {
	Version    string      `json:"version"`
	Threads    int         `json:"threads"`
	Statements []statement `json:"statements"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ccetl-bench-duckdb", flag.ContinueOnError)
	threads := fs.Int("threads", runtime.NumCPU(), "DuckDB worker threads")
	memory := fs.String("memory-limit", "", "DuckDB memory_limit, e.g. 1GB (default: DuckDB's, 80% of RAM)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one SQL statement")
	}
	if *threads < 1 {
		return fmt.Errorf("-threads must be at least 1")
	}
	db, err := sql.Open("duckdb", "") // in memory: nothing persists
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // SET applies to the connection that runs the statements
	if err != nil {
		return err
	}
	defer conn.Close()
	setup := []string{fmt.Sprintf("SET threads = %d", *threads)}
	if *memory != "" {
		setup = append(setup, fmt.Sprintf("SET memory_limit = '%s'", *memory))
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	sum := summary{Threads: *threads}
	if err := conn.QueryRowContext(ctx, "SELECT version()").Scan(&sum.Version); err != nil {
		return err
	}
	for _, q := range fs.Args() {
		start := time.Now()
		res, err := conn.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		sum.Statements = append(sum.Statements, statement{SQL: q, Rows: n, Seconds: time.Since(start).Seconds()})
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}
