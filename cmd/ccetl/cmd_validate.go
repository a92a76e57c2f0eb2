package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ccetl/ccetl/jobs"
)

func (e *env) validate(args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("validate: name at least one job file")
	}
	var all []jobs.Problem
	for _, f := range files {
		job, err := jobs.Load(f, jobs.OSEnv())
		if err == nil {
			err = jobs.Check(job, e.reg)
		}
		var ce *jobs.ConfigError
		if errors.As(err, &ce) {
			all = append(all, ce.Problems...)
			continue
		}
		if err != nil {
			all = append(all, jobs.Problem{Pos: jobs.Pos{File: f}, Msg: err.Error()})
			continue
		}
		fmt.Fprintf(e.stdout, "%s: ok\n", f)
	}
	if len(all) > 0 {
		return &jobs.ConfigError{Problems: all}
	}
	return nil
}
