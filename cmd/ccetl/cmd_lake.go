package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// errLakeBroken is returned when a lake check found problems.
var errLakeBroken = errors.New("the lake does not hold")

const lakeUsage = "lake: want 'lake check [--json] DIR|s3://BUCKET/PREFIX', " +
	"'lake compact [--json] [--table T] [--target-file-size 128MB] ICEBERG-URL' or " +
	"'lake expire [--json] [--older-than 7d] [--retain-last N] [--table T] ICEBERG-URL'"

// lake runs lake subcommands: check, compact and expire.
func (e *env) lake(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("%s", lakeUsage)
	}
	switch args[0] {
	case "check":
		return e.lakeCheck(ctx, args[1:])
	case "compact":
		return e.lakeCompact(ctx, args[1:])
	case "expire":
		return e.lakeExpire(ctx, args[1:])
	}
	return usagef("%s", lakeUsage)
}

// lakeFlags are the flags every lake subcommand takes.
type lakeFlags struct {
	fs     *flag.FlagSet
	asJSON *bool
	opts   kvFlag
}

func (e *env) newLakeFlags(name string) lakeFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := lakeFlags{fs: fs, asJSON: fs.Bool("json", false, "print the result as JSON"), opts: kvFlag{}}
	fs.Var(f.opts, "sink-opt", "a sink option k=v (catalog, catalog_uri, namespace, mode, S3 settings: region, endpoint, path_style, ...); repeatable")
	return f
}

// parse reads the arguments and finds the sink of the one lake named.
func (f lakeFlags) parse(e *env, args []string, what string) (string, pipeline.SinkKind, error) {
	pos, err := parseInterleaved(f.fs, args)
	if err != nil {
		return "", pipeline.SinkKind{}, err
	}
	if len(pos) != 1 {
		return "", pipeline.SinkKind{}, usagef("%s: give exactly one lake (%s)", f.fs.Name(), what)
	}
	sk, err := e.reg.Sink(pos[0])
	if err != nil {
		return "", sk, usagef("%s: %v", f.fs.Name(), err)
	}
	return pos[0], sk, nil
}

// checkOpts reports sink options the lake's sink does not know.
func (f lakeFlags) checkOpts(sk pipeline.SinkKind) error {
	if err := sk.CheckOptions(f.opts); err != nil {
		return usagef("%s: %v", f.fs.Name(), err)
	}
	return nil
}

func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (e *env) lakeCheck(ctx context.Context, args []string) error {
	f := e.newLakeFlags("lake check")
	url, sk, err := f.parse(e, args, "a directory or s3://bucket/prefix")
	if err != nil {
		return err
	}
	if sk.Check == nil {
		return usagef("lake check: %s lakes cannot be checked", sk.Doc)
	}
	res, err := sk.Check(ctx, pipeline.SinkConfig{URL: url, Options: f.opts})
	if err != nil {
		return err
	}
	if *f.asJSON {
		if res.Problems == nil {
			res.Problems = []pipeline.LakeProblem{}
		}
		if err := e.printJSON(res); err != nil {
			return err
		}
	} else {
		for _, p := range res.Problems {
			where := p.File
			if where == "" {
				where = p.Manifest
			} else if p.Manifest != "" {
				where += " (manifest " + p.Manifest + ")"
			}
			fmt.Fprintf(e.stdout, "%s: %s\n", where, p.Problem)
		}
		fmt.Fprintf(e.stdout, "%s: %d tables, %d manifests, %d data files, %d rows: %d problems\n",
			url, res.Tables, res.Manifests, res.Files, res.Rows, len(res.Problems))
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("%w: %d problems", errLakeBroken, len(res.Problems))
	}
	return nil
}

// lakeCompact runs ccetl lake compact: small files into larger ones.
func (e *env) lakeCompact(ctx context.Context, args []string) error {
	f := e.newLakeFlags("lake compact")
	tableName := f.fs.String("table", "", "compact this table only (default: every table)")
	size := f.fs.String("target-file-size", "128MB", "files below this size are small; rewritten files aim at it (KB, MB, GB: powers of 1024)")
	url, sk, err := f.parse(e, args, "iceberg:///dir or iceberg+s3://bucket/prefix")
	if err != nil {
		return err
	}
	if err := f.checkOpts(sk); err != nil {
		return err
	}
	target, err := parseSize(*size)
	if err != nil {
		return usagef("lake compact: --target-file-size: %v", err)
	}
	if sk.Compact == nil {
		return usagef("lake compact: compaction is not supported for %s lakes", sk.Doc)
	}
	res, err := sk.Compact(ctx, pipeline.SinkConfig{URL: url, Options: f.opts}, pipeline.CompactOptions{Table: *tableName, TargetFileBytes: target})
	if *f.asJSON {
		if jerr := e.printJSON(res); jerr != nil {
			return errors.Join(err, jerr)
		}
		return err
	}
	for _, t := range res.Tables {
		for _, s := range t.Skipped {
			fmt.Fprintf(e.stdout, "%s: %s\n", t.Table, s)
		}
		if t.Snapshot == 0 {
			fmt.Fprintf(e.stdout, "%s: nothing to compact\n", t.Table)
			continue
		}
		fmt.Fprintf(e.stdout, "%s: %d partitions, %d files (%d bytes) into %d (%d bytes), %d rows: snapshot %d\n",
			t.Table, t.Partitions, t.FilesRemoved, t.BytesBefore, t.FilesAdded, t.BytesAfter, t.Rows, t.Snapshot)
	}
	return err
}

// lakeExpire runs ccetl lake expire: old snapshots and the files only
// they referenced.
func (e *env) lakeExpire(ctx context.Context, args []string) error {
	f := e.newLakeFlags("lake expire")
	tableName := f.fs.String("table", "", "expire this table's snapshots only (default: every table)")
	older := f.fs.String("older-than", "7d", "expire snapshots older than this (e.g. 7d, 36h, 0s)")
	retain := f.fs.Int("retain-last", 1, "keep at least this many of the newest snapshots, whatever their age")
	url, sk, err := f.parse(e, args, "iceberg:///dir or iceberg+s3://bucket/prefix")
	if err != nil {
		return err
	}
	if err := f.checkOpts(sk); err != nil {
		return err
	}
	age, err := parseAge(*older)
	if err != nil {
		return usagef("lake expire: --older-than: %v", err)
	}
	if *retain < 1 {
		return usagef("lake expire: --retain-last: the current snapshot always stays; want 1 or more")
	}
	if sk.Expire == nil {
		return usagef("lake expire: snapshot expiry is not supported for %s lakes", sk.Doc)
	}
	res, err := sk.Expire(ctx, pipeline.SinkConfig{URL: url, Options: f.opts},
		pipeline.ExpireOptions{Table: *tableName, OlderThan: age, RetainLast: *retain})
	if *f.asJSON {
		if jerr := e.printJSON(res); jerr != nil {
			return errors.Join(err, jerr)
		}
		return err
	}
	for _, t := range res.Tables {
		fmt.Fprintf(e.stdout, "%s: %d snapshots expired, %d kept; %d data files and %d metadata files deleted\n",
			t.Table, t.SnapshotsExpired, t.SnapshotsKept, t.DataFilesDeleted, t.MetaFilesDeleted)
	}
	return err
}

// parseSize reads a size such as 128MB, 512MiB, 1GB or 1048576 (bytes).
func parseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		s string
		m int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.s) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.s)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("want a positive size such as 128MB, got %q", v)
	}
	return n * mult, nil
}

// parseAge reads a duration in days (7d) or as Go writes them (36h, 0s).
func parseAge(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("want an age such as 7d or 36h, got %q", v)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want an age such as 7d or 36h, got %q", v)
	}
	return d, nil
}
