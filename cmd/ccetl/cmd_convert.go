package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/pipeline"
)

func (e *env) convert(ctx context.Context, args []string) (err error) {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	kind := fs.String("kind", "", "input kind (see 'ccetl schema')")
	out := fs.String("out", "", "output directory or s3://bucket/prefix")
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	lf := addLogFlags(fs, "warn")
	maxRejects := fs.Int64("max-rejects", 0, "fail (commit nothing) past this many rejected rows (0: no limit)")
	maxRatio := fs.Float64("max-reject-ratio", 0, "fail past this share of rejected rows, 0..1 (0: no limit)")
	memLimit := fs.String("memory-limit", "", "soft memory limit of the conversion, e.g. 512MiB (default: GOMEMLIMIT when set, else 128MiB)")
	prof := addProfileFlags(fs)
	opts, sinkOpts := kvFlag{}, kvFlag{}
	fs.Var(opts, "opt", "kind option key=value (repeatable)")
	fs.Var(sinkOpts, "sink-opt", "sink option key=value (repeatable), e.g. partition=month")
	inputs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *kind == "":
		return usagef("convert: --kind is required (one of %v)", e.reg.KindNames())
	case *out == "":
		return usagef("convert: --out is required")
	case len(inputs) == 0:
		return usagef("convert: name at least one input file or folder")
	case *maxRatio < 0 || *maxRatio > 1:
		return usagef("convert: --max-reject-ratio must be between 0 and 1")
	}
	job := &jobs.Job{
		Name:    "convert",
		Sources: []jobs.SourceSpec{{Kind: *kind, Inputs: inputs, Options: opts, Pos: jobs.Pos{File: "--opt"}}},
		Sink:    jobs.SinkSpec{URL: *out, Options: sinkOpts, Pos: jobs.Pos{File: "--sink-opt"}},
		Batch:   convertBatch,
		Rejects: pipeline.RejectLimit{MaxCount: *maxRejects, MaxRatio: *maxRatio},
	}
	if err := jobs.Check(job, e.reg); err != nil {
		return err
	}
	restore, err := setMemoryLimit(*memLimit)
	if err != nil {
		return err
	}
	defer restore()
	stop, err := prof.start()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stop()) }()
	return e.execute(ctx, job, *asJSON, lf, nil) // one-shot: no job state
}

// convertBatch cuts batches of 16 Ki rows or 2 MiB of input: a conversion
// writes them to Parquet straight away, so smaller batches than a job's
// default cost little time and keep the batches in flight small.
var convertBatch = pipeline.BatchPolicy{MaxRows: 16 << 10, MaxBytes: 2 << 20}

// defaultMemoryLimit is the soft memory limit of a conversion: the batches
// in flight, the open files' buffers (the lake sink's write_memory, 64 MiB
// by default) and the program itself fit well within it, and the garbage
// collector keeps the heap there instead of letting it grow to twice the
// live data.
const defaultMemoryLimit = 128 << 20

// setMemoryLimit sets the soft memory limit for the conversion: v when
// given, else GOMEMLIMIT when set, else defaultMemoryLimit. restore puts
// back the limit before it. An Iceberg table's data files are written by
// the lake's writer, within the same bounds.
func setMemoryLimit(v string) (restore func(), err error) {
	limit := int64(defaultMemoryLimit)
	switch {
	case v != "":
		if limit, err = parseByteSize(v); err != nil {
			return nil, usagef("convert: --memory-limit: %v", err)
		}
	case os.Getenv("GOMEMLIMIT") != "":
		return func() {}, nil // the runtime applied it
	}
	prev := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }, nil
}

// parseByteSize reads a positive size with an optional unit (KiB, MiB,
// GiB, KB, MB, GB).
func parseByteSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size such as 512MiB, got %q", v)
	}
	return n * mult, nil
}
