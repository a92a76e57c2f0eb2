// Package genesystest is an httptest emulator of the Genesys Cloud coaching
// API as the reference (reference/genesys-cloud-coaching-api.md) and SPEC.md
// section 3 describe it, for the genesys-coaching kind's tests.
//
// It serves two hosts, like a Genesys region: the login host with POST
// /oauth/token (client credentials, HTTP Basic, form body; SPEC 1.1 [ext])
// and the API host with
//
//	GET /api/v2/coaching/appointments                              userIds (repeated, required), interval, statuses, facilitatorIds, sortOrder, pageNumber, pageSize
//	GET /api/v2/coaching/appointments/{appointmentId}
//	GET /api/v2/coaching/appointments/{appointmentId}/statuses     pageNumber, pageSize
//	GET /api/v2/coaching/appointments/{appointmentId}/annotations  pageNumber, pageSize
//	POST /api/v2/coaching/appointments                             create (201)
//	PATCH /api/v2/coaching/appointments/{appointmentId}            update (200)
//	POST /api/v2/coaching/appointments/{appointmentId}/annotations create an annotation (201)
//	GET /api/v2/users                                              the organization's users [ext]: state, pageNumber, pageSize
//
// Every answer carries an ININ-Correlation-Id header; an error's contextId
// is the same id. The writes keep state (see writes.go): Appointments
// snapshots what the organization holds and Counts.Writes counts the
// writes carried out.
// Lists answer the envelope of SPEC 3.3 (entities, pageSize, pageNumber,
// total, pageCount, first/self/next/previous/lastUri); pageSize defaults to
// 25 and is capped (400 above Config.MaxPageSize). Errors are Genesys
// ErrorBody objects ({message, code, status, contextId, details, errors});
// the token endpoint answers OAuth error objects.
//
// What the reference does not say and the emulator decides: the interval
// keeps appointments whose dateStart lies in [start, end) (the external spec
// says "End date is not inclusive"; whether it tests the start or any
// overlap is not documented) and a time without a zone is UTC; a user's
// appointments are those where the user attends or facilitates; the list is
// ordered by dateStart, then id. The reference has no JSON examples at all,
// so the model objects (Appointment, Status, Annotation) are built from the
// field lists of SPEC 3.3.
//
// Faults for tests: tokens that die after a number of requests or a time
// (401 "bad.credentials"), rate-limit windows answering 429 with
// Retry-After and the documented "Retry the request in [%s] seconds"
// message, and injected faults (any status, 429 storms, a connection
// dropped mid-body). Real Genesys sends Retry-After in whole seconds; for
// fast test windows under a second it is sent as decimal seconds.
package genesystest
