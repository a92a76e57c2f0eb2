package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/ccetl/ccetl/connectors/s3"
	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// openState opens a job-state backend: a directory or an S3 prefix (with
// the standard AWS settings from the environment).
func (e *env) openState(ctx context.Context, url string) (pipeline.StateStore, error) {
	if !s3.IsURL(url) {
		return jobs.OpenLocalState(ctx, url)
	}
	cfg, err := s3.ConfigFromEnv(url, e.getenv)
	if err != nil {
		return nil, err
	}
	return s3.NewStateStore(ctx, cfg)
}

// state shows or resets a job's state: ccetl state show|reset JOB.yaml.
func (e *env) state(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "show" && args[0] != "reset" && args[0] != "unlock") {
		return usagef("state: want 'state show JOB.yaml', 'state reset [--yes] JOB.yaml' or 'state unlock [--yes] [--force] JOB.yaml'")
	}
	verb := args[0]
	fs := flag.NewFlagSet("state "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	yes := fs.Bool("yes", false, "do it without asking")
	force := fs.Bool("force", false, "unlock: release the lease even when its holder is a running process of this host")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("state %s: give exactly one job file", verb)
	}
	job, err := jobs.Load(pos[0], jobs.OSEnv())
	if err != nil {
		return err
	}
	backend, err := e.openState(ctx, jobs.StateURL(job))
	if err != nil {
		return err
	}
	store := state.New(backend)
	if verb == "show" {
		return store.Show(ctx, e.stdout, job.Name)
	}
	if !*yes {
		if err := e.confirm(verb, job.Name); err != nil {
			return err
		}
	}
	if verb == "unlock" {
		holder, err := store.Unlock(ctx, job.Name, *force)
		if err != nil {
			return err
		}
		if holder == "" {
			fmt.Fprintf(e.stdout, "job %s was not locked\n", job.Name)
			return nil
		}
		fmt.Fprintf(e.stdout, "released the lease of job %s held by %s: the next run may start now\n", job.Name, holder)
		return nil
	}
	host, _ := os.Hostname()
	if err := store.Reset(ctx, job.Name, fmt.Sprintf("%s:%d:reset", host, os.Getpid())); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "state of job %s reset: the next run starts from its configured start\n", job.Name)
	return nil
}

// confirm asks for the job name on a terminal; elsewhere --yes is required.
func (e *env) confirm(verb, job string) error {
	in, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return usagef("state %s: not a terminal; pass --yes to %s job %s", verb, verb, job)
	}
	what := "This forgets every cursor and processed object of job %s."
	if verb == "unlock" {
		what = "This releases the lease of job %s: a run still holding it would then race the next one."
	}
	fmt.Fprintf(e.stderr, what+"\nType the job name to confirm: ", job)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if strings.TrimSpace(line) != job {
		return usagef("state %s: not confirmed", verb)
	}
	return nil
}
