package main

import (
	"context"
	"flag"
	"os"
	"runtime/pprof"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/pipeline"
)

func (e *env) convert(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	kind := fs.String("kind", "", "input kind (see 'ccetl schema')")
	out := fs.String("out", "", "output directory or s3://bucket/prefix")
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	lf := addLogFlags(fs, "warn")
	maxRejects := fs.Int64("max-rejects", 0, "fail (commit nothing) past this many rejected rows (0: no limit)")
	maxRatio := fs.Float64("max-reject-ratio", 0, "fail past this share of rejected rows, 0..1 (0: no limit)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
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
		Batch:   pipeline.DefaultBatchPolicy(),
		Rejects: pipeline.RejectLimit{MaxCount: *maxRejects, MaxRatio: *maxRatio},
	}
	if err := jobs.Check(job, e.reg); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return e.execute(ctx, job, *asJSON, lf, nil) // one-shot: no job state
}
