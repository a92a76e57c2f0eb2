// Package planpush is the cresta-coaching-plans push target: it links
// scorecards to Cresta coaching plans and unlinks them
// (reference/cresta-coaching-service-api.txt; SPEC.md section 4), one
// request per link:
//
//	POST /v1/{plan}:addScorecard     {"scorecardName": "<scorecard>"} -> {"coachingPlanName", "scorecardName"}
//	POST /v1/{plan}:removeScorecard  {"scorecardName": "<scorecard>"} -> {}
//
// Its one entity, scorecard_links, takes the table
// cresta_coaching_plan_scorecard: one row per link, with the plan's
// resource name (plan), the scorecard's (scorecard) and whether the link
// is wanted (wanted, true when null). A wanted link is added, an unwanted
// one removed.
//
// # What a plan can know
//
// The documented coachingPlan object has no field listing its scorecards
// (the reference lists 15 fields and its schema title says "Next ID: 16"),
// and no list operation is documented, so a plan's links cannot be read
// back. The plan therefore reads each coaching plan the input names once
// (GET /v1/{plan}) only to learn that it exists: the rows of a plan that
// answers 404 are invalid, with Cresta's code and message. Every other
// valid row is a send: addScorecard or removeScorecard. What an earlier
// push did is known from the job's ledger: a link whose last push the
// ledger holds with the same wanted value is skipped, so a rerun sends
// nothing. A link changed in Cresta by other means is not seen. For the
// same reason the target cannot remove links the input leaves out: it
// has no delete_missing option.
//
// Resource names are checked before any request: a plan must be
// customers/{customer_id}/profiles/{profile_id}/coachingPlans/{id} and a
// scorecard customers/{customer_id}/profiles/{profile_id}/scorecards/{id},
// with no empty, "." or ".." segment, and both must name the same
// customer (one Cresta tenant). The reference does not say whether a
// scorecard of another profile may be linked, so a profile mismatch is
// left for Cresta to judge. A link given twice in the input makes the
// second row invalid.
//
// # Retries
//
// The reference does not say what adding a scorecard that is already
// linked does (it might be refused, ignored or listed twice), so
// addScorecard is sent once, and again only when the request provably
// never reached Cresta (a refused connection, a 429). An addScorecard
// whose run stopped before its answer is not sent again by the next run:
// it is skipped with a reason saying how to send it. Removing a link
// cannot duplicate anything, so removeScorecard is retried as reads are
// (5xx, 408, dropped connections, within retry_budget), and sent again
// after a stopped run.
//
// A request Cresta refuses (a 4xx other than 429) fails its change with
// Cresta's code and message and the push goes on; anything else that
// survives the retries stops the push, the change left pending.
//
// Auth, rate limits and errors are as for the cresta-coaching-plans pull
// kind: a bearer token, rate_limit windows, google.rpc.Status error
// bodies {code, message} (none of which the excerpt documents, doc error
// 67).
package planpush
