package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/ccetl/ccetl/connectors/all"
	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/pipeline"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `ccetl: batch ETL for contact-center quality, coaching and workforce data

Usage:
  ccetl convert --kind KIND --out DIR|s3://BUCKET/PREFIX [--json] [--opt k=v]... INPUT...
  ccetl run [--json] [--log-level L] [--log-format text|json] [--limit N] JOB.yaml
  ccetl plan [--json] [--all] [-o PLAN.json] [--limit N] JOB.yaml
  ccetl apply [--json] PLAN.json JOB.yaml
  ccetl validate JOB.yaml...
  ccetl schema [--json] [KIND]
  ccetl inspect [--json] FILE.parquet... | ccetl inspect [--json] [--table T] [--sink-opt k=v]... ICEBERG-URL
  ccetl lake check [--json] DIR|s3://BUCKET/PREFIX
  ccetl lake compact [--json] [--table T] [--target-file-size 128MB] [--sink-opt k=v]... ICEBERG-URL
  ccetl lake expire [--json] [--older-than 7d] [--retain-last N] [--table T] [--sink-opt k=v]... ICEBERG-URL
  ccetl state show JOB.yaml | ccetl state reset [--yes] JOB.yaml | ccetl state unlock [--yes] [--force] JOB.yaml
  ccetl serve [--addr HOST:PORT] [--grace D] [--log-format text|json] DIR|JOB.yaml...
  ccetl serve --engine temporal [--temporal HOST:PORT] [--namespace N] [--task-queue Q] DIR|JOB.yaml...
  ccetl serve status|pause|resume|trigger [--addr HOST:PORT] [JOB]
  ccetl backfill [--json] --from DATE --to DATE [--engine temporal [--temporal HOST:PORT] [--wait]] JOB.yaml
  ccetl worker --temporal HOST:PORT [--namespace N] [--task-queue Q] [--concurrency N] DIR|JOB.yaml...
  ccetl runs [--json] [--limit N] JOB.yaml | ccetl runs show RUN_ID [JOB.yaml|DIR... | --addr HOST:PORT]
  ccetl version

Exit codes: 0 ok, 1 failed, 2 bad config or usage, 3 finished with rejected rows,
130 cancelled. Run 'ccetl COMMAND -h' for a command's flags.
`

// env carries what commands share.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	reg            *pipeline.Registry
	getenv         func(string) string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	getenv := func(k string) string { v, _ := jobs.OSEnv()(k); return v }
	e := &env{stdin: os.Stdin, stdout: stdout, stderr: stderr, reg: all.Registry(getenv), getenv: getenv}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "convert":
		return e.convert(ctx, rest)
	case "run":
		return e.runJob(ctx, rest)
	case "validate":
		return e.validate(rest)
	case "schema":
		return e.schema(rest)
	case "inspect":
		return e.inspect(ctx, rest)
	case "state":
		return e.state(ctx, rest)
	case "lake":
		return e.lake(ctx, rest)
	case "plan":
		return e.plan(ctx, rest)
	case "apply":
		return e.apply(ctx, rest)
	case "runs":
		return e.runs(ctx, rest)
	case "serve":
		if engineTemporal(rest) {
			return e.serveTemporal(ctx, rest)
		}
		return e.serve(ctx, rest)
	case "backfill":
		return e.backfill(ctx, rest)
	case "worker":
		return e.worker(ctx, rest)
	case "version", "--version":
		fmt.Fprintln(stdout, "ccetl", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// parseInterleaved parses flags that may come before or after positional
// arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// kvFlag collects repeated k=v flags.
type kvFlag map[string]string

func (k kvFlag) String() string { return "" }

func (k kvFlag) Set(s string) error {
	key, val, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	k[key] = val
	return nil
}

// newLogger logs to w at a level, as text or JSON. With no format, a
// process whose stderr is a terminal logs text and one whose stderr goes
// to a file or a pipe (a service, a container) logs JSON lines; any other
// writer gets text.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level: want debug, info, warn or error")
	}
	if format == "" {
		format = "text"
		if f, ok := w.(*os.File); ok && !term.IsTerminal(int(f.Fd())) {
			format = "json"
		}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format: want text or json")
}

// logFormatFlag adds --log-format to a command's flags.
func logFormatFlag(fs *flag.FlagSet) *string {
	return fs.String("log-format", "", "text or json (default: text on a terminal, json when stderr is a file or a pipe)")
}

// logFlags are a command's --log-level and --log-format.
type logFlags struct{ level, format *string }

func addLogFlags(fs *flag.FlagSet, level string) logFlags {
	return logFlags{level: fs.String("log-level", level, "log level: debug, info, warn, error"), format: logFormatFlag(fs)}
}

// logger makes the logger the flags ask for.
func (f logFlags) logger(w io.Writer) (*slog.Logger, error) { return newLogger(w, *f.level, *f.format) }
