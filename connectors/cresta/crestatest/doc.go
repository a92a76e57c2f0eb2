// Package crestatest is an httptest emulator of the Cresta Coaching Service
// excerpt (reference/cresta-coaching-service-api.txt; SPEC.md section 4)
// for the cresta-coaching-plans kind's tests. It serves the three documented
// operations:
//
//	GET  /v1/{name=customers/*/profiles/*/coachingPlans/*}                  -> {"coachingPlan": {...}}
//	POST /v1/{name=customers/*/profiles/*/coachingPlans/*}:addScorecard     {"scorecardName"} -> {"coachingPlanName","scorecardName"}
//	POST /v1/{name=customers/*/profiles/*/coachingPlans/*}:removeScorecard  {"scorecardName"} -> {}
//
// Plans are the reference's own example (testdata: kept verbatim, and
// repaired where it elides the arrays as [ … ]) or objects a test adds.
//
// What the excerpt does not document and the emulator assumes (doc error
// 67): auth is a bearer token ("Authorization: Bearer <token>", 401
// otherwise); errors are google.rpc.Status bodies {code, message, details},
// as gRPC-transcoded APIs answer (404 code 5 for an unknown plan or route,
// 429 code 8 with Retry-After past the configured windows). Faults can be
// injected: any status, 429 storms, a connection dropped mid-body.
//
// Links between plans and scorecards are kept apart from the plan objects:
// the documented coachingPlan object has no field listing them (its 15
// documented fields fill "Next ID: 16"), so GET never shows them; Links
// and Counts let tests observe them. The reference does not say what
// adding a scorecard that is already linked, or removing one that is not,
// does: the emulator takes the least forgiving reading it allows, adding
// it a second time (listed twice) and answering {} to a removal that
// finds nothing.
package crestatest
