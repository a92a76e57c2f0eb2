// Package temporal runs backfills and scheduled runs on Temporal
// (go.temporal.io/sdk), spread over any number of `ccetl worker` processes.
//
// A backfill is one workflow (BackfillWorkflow): a first activity plans the
// job's windows (those the job state has not recorded as committed), then
// each window is one activity, at most MaxInFlight of them at a time. A
// window activity runs the job exactly as `ccetl backfill` runs a window
// (the same runner, connectors, sink and job state), heartbeats while it
// runs, and is retried on another worker when its worker stops
// heartbeating (killed, crashed, cut off). A retry is safe: the lake's file
// names are deterministic and a rerun replaces them, and a window the job
// state already records as committed is skipped, so every window commits
// once.
//
// Windows of one job share the job's lease and state, so one job runs one
// window at a time on whichever worker holds the lease; more windows in
// flight wait for it. The scale-out is across jobs (tenants, vendors): each
// job's windows run one after the other at the vendor's rate while the
// workers share all the jobs. Because only one window of a job runs at a
// time in the whole cluster, the rate limit of the job's source (its
// rate_limit option, per credential) holds across all workers.
//
// A job's schedule becomes a Temporal Schedule (ScheduleOptions,
// PutSchedule) whose ticks start RunWorkflow: one activity that runs the
// job on a worker, retried only when its worker dies.
//
// This package knows nothing of job files or connectors: the command gives
// it the functions that plan and run a window and run a job (Activities).
package temporal
