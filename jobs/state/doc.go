// Package state keeps each job's durable progress and makes sure only one
// runner of a job commits it.
//
// Per job there is one State document (cursors, the input objects processed
// with their ETags, the backfill windows done) and one lease, stored under
// "<job>/state.json" and "<job>/lease.json" in a pipeline.StateStore: a local
// directory (Dir, the default) or an S3 prefix (connectors/s3.StateStore,
// which the command wires in; jobs never import a connector).
//
// A run:
//
//	lease, err := st.Acquire(ctx, job, holder, ttl) // *HeldError: another run is active
//	defer lease.Release(context.WithoutCancel(ctx))
//	run, stop := lease.Hold(ctx) // renews; cancelled if the lease is lost
//	defer stop()
//	s, err := st.Load(run, job)
//	... read inputs not yet s.Seen, write and commit the data ...
//	s.MarkProcessed(url, etag); s.SetCursor(...); s.MarkDone(window)
//	err = st.Commit(run, lease, s) // only after the data is committed
//
// State changes are committed only after the data they describe: if the
// run dies between the two, the next run redoes that data (sinks replace
// output under deterministic names, so this duplicates nothing) instead of
// skipping it.
//
// Two runners never both commit. Every lease change and every commit is a
// conditional write (create-only or compare-and-swap on the version), which
// a Dir does under a flock and S3 with If-None-Match / If-Match. Commit
// renews the lease first, so a runner whose lease expired and was taken
// over fails with ErrLeaseLost; the state write itself is conditional on the
// version Load read, so a commit can never overwrite a newer one. Leases
// expire by the runners' clocks, which must agree to well within the TTL.
//
// A run that is killed (SIGKILL, out of memory, a crash) leaves its lease
// behind. The lease records the holder's process (host name, boot id, PID
// namespace, PID and start time); when the next runner finds it on the same
// host and that process gone, it takes the lease over at once, by the same
// conditional write, so of several runners doing so only one wins. A holder
// this host cannot see (another host, container or boot) keeps the lease
// until it expires, or until Unlock (`ccetl state unlock`) releases it by
// hand.
//
// Conditional delete is not used to decide anything: S3 servers do not all
// make it atomic. Release rewrites the lease as released instead.
package state
