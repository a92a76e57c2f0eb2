// Package push holds what every push target shares: checking records
// against an entity's documented fields before anything is sent (Check),
// content hashes for the ledger (Hash), field-by-field diffs (Diff), the
// planning of an upsert by key against the target's current state (Upsert),
// and the cutting of a plan's writes into batches bounded by records and
// bytes (Batches).
//
// The contracts themselves (Target, Plan, Change, BatchResult) are in
// pipeline; the machinery that runs a target (ledger, push_results,
// resume) is in jobs. A target package uses this package to build its plan
// and its uploads, and pushtest to prove it behaves like every other
// target.
package push
