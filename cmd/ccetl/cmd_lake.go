package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/ccetl/ccetl/pipeline"
)

// errLakeBroken is returned when a lake check found problems.
var errLakeBroken = errors.New("the lake does not hold")

// lake runs lake subcommands: ccetl lake check DIR|s3://BUCKET/PREFIX.
func (e *env) lake(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("lake: want 'lake check [--json] DIR|s3://BUCKET/PREFIX'")
	}
	fs := flag.NewFlagSet("lake check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	opts := kvFlag{}
	fs.Var(opts, "sink-opt", "a sink option k=v (S3 settings: region, endpoint, path_style, ...); repeatable")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("lake check: give exactly one lake (a directory or s3://bucket/prefix)")
	}
	sk, err := e.reg.Sink(pos[0])
	if err != nil {
		return usagef("lake check: %v", err)
	}
	if sk.Check == nil {
		return usagef("lake check: %s lakes cannot be checked", sk.Doc)
	}
	res, err := sk.Check(ctx, pipeline.SinkConfig{URL: pos[0], Options: opts})
	if err != nil {
		return err
	}
	if *asJSON {
		if res.Problems == nil {
			res.Problems = []pipeline.LakeProblem{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
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
			pos[0], res.Tables, res.Manifests, res.Files, res.Rows, len(res.Problems))
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("%w: %d problems", errLakeBroken, len(res.Problems))
	}
	return nil
}
