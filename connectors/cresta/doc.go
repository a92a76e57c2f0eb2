// Package cresta is the cresta-coaching-plans pull kind: a snapshot of
// configured Cresta coaching plans (reference/cresta-coaching-service-api.txt;
// SPEC.md section 4) in the table cresta_coaching_plan. crestatest is its
// API emulator.
//
// # Requests
//
// For each resource name in plans (customers/{customer}/profiles/{profile}/
// coachingPlans/{plan}, checked against the reference's path template
// {name=customers/*/profiles/*/coachingPlans/*} before anything is sent;
// names are de-duplicated and read in sorted order) the kind sends GET
// <base_url>/v1/<name>, each segment path-escaped, up to concurrency
// (default 8) at once and written in that order. The excerpt documents no
// list or export endpoint, so plans must be named.
//
// Auth is not in the reference excerpt (doc error 67). The kind sends
// "Authorization: Bearer <api_token>", Cresta's public API convention
// [ext, unverified against the excerpt]; a 401 is final (a static token
// cannot be renewed). Nor does the excerpt state rate limits: rate_limit
// defaults to 5 requests a second, a guess to be polite; 429 honours
// Retry-After; 5xx, 408 and dropped connections are retried with backoff
// until retry_budget is spent.
//
// # A plan that is not found
//
// A 404 for one plan (deleted, or a typo in the job) is no data to reject:
// a reject means an answer ccetl could not decode, never that it asked for
// something the tenant does not have. The other plans' snapshot is still
// taken, the log warns with the vendor's code and message, and the report
// counts plans_not_found and names them (plans_not_found_names). When
// every plan answers 404 the job is wrong (plans of another tenant, or a
// wrong base_url): the run fails saying so, and nothing is committed.
// Every other error that survives the retries (401, 403, 400, a spent
// retry budget) fails the run and nothing is committed.
//
// # Rows
//
// One row per plan per run, keyed by name and snapshot_at (the run's clock,
// SourceConfig.Now, to the millisecond); customer_id, profile_id and
// coaching_plan_id are split from the name. The RFC 3339 timestamps
// (startTime, endTime, managerCommentSubmitTime, createTime, updateTime)
// are timestamp[ms, UTC]; isActive is bool. The nested arrays focusBehaviors,
// focusCriteria and coachingSessions, whose element shape the reference
// elides (doc error 68), are kept as compact JSON strings. A response
// without a coachingPlan object, a plan whose name is missing or differs
// from the requested one, or a field of the wrong JSON type is rejected,
// naming the field, with the plan's JSON as the raw record.
//
// The documented coachingPlan object has no field listing the scorecards
// linked to the plan (its 15 fields fill the schema's "Next ID: 16"), so
// the snapshot has none. Links are written by the cresta-coaching-plans
// push target (package planpush) from a table cresta_coaching_plan_scorecard
// a job provides.
//
// Every run is a new snapshot: its file is named by snapshot_at, so runs
// add files rather than replace them (a rerun at the same instant would
// replace). The table is partitioned by snapshot_at.
package cresta
