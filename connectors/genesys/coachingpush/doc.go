// Package coachingpush is the genesys-coaching push target: it writes
// coaching appointments, then their annotations, into a Genesys Cloud
// organization (reference/genesys-cloud-coaching-api.md; SPEC.md section
// 3), planning every record against what the organization holds.
//
// # Entities
//
// appointments (table gen_coaching_appointment, so a table the
// genesys-coaching pull kind wrote pushes back as it is): name,
// description, date_start, length_in_minutes and attendee_ids are
// required, as CreateCoachingAppointmentRequest requires them;
// facilitator_id and conversation_ids are optional; id is the row's own
// id (a pulled table's), never sent. annotations (table
// gen_coaching_annotation): appointment_id, text and access_type (Public
// or Private) are required; id names the row in the plan.
//
// # Plan
//
// Nothing is sent before every record is checked: required fields, types,
// lengths (the reference states no maximum; ccetl holds names to 200
// characters, descriptions and texts to 10,000), the access_type enum, a
// positive length, and every attendee and facilitator id against the
// organization's active users (GET /api/v2/users, every page [ext]): an
// unknown one makes the row invalid ("unknown attendee"). An invalid row
// never reaches the API; the others go on.
//
// The plan then reads the appointments of the valid rows' attendees over
// their dates (GET /api/v2/coaching/appointments with userIds repeated,
// users_per_request a request, the interval from the earliest dateStart to
// a minute past the latest, every page). A row is the appointment on the
// target with its id, else the one the ledger recorded for its key (the
// id an earlier push created), else the one with the same name, dateStart
// and attendees, else, read by id (GET .../appointments/{id}; 404 means
// none), the ledger's or its own id. Such a row is unchanged when every
// field it gives equals the target's (fields it leaves empty are kept),
// else an update of the fields that differ; a row matching nothing is a
// create. Two rows that are one appointment make the second invalid.
//
// An annotation names its appointment by a row of the same push (its id
// field) or by an id on the target. Its appointment's annotations are read
// (GET .../{id}/annotations, every page; deleted ones aside), and one with
// the same text and accessType makes it unchanged; otherwise it is a
// create. Annotations are never updated or deleted.
//
// # Apply
//
// Genesys has no bulk write, so each change is one request and one batch
// of the journal (Begin, the request, Ack): POST /api/v2/coaching/
// appointments (CreateCoachingAppointmentRequest), PATCH .../{id} with the
// changed fields only (UpdateCoachingAppointmentRequest), POST
// .../{id}/annotations ({text, accessType}). Outcomes carry the created id,
// and for a refusal Genesys' ErrorBody code and message; the request id is
// the answer's ININ-Correlation-Id header, or the ErrorBody's contextId.
//
// A create is sent once, and again only when it cannot have reached
// Genesys (connection refused, 429); a PATCH sets fields, so it is retried
// like a read. A refusal (a 4xx, or a 5xx the retries did not get past)
// fails its change and the push goes on; an annotation of an appointment
// that failed fails without a request. A lost answer, a rejected token or
// a spent retry budget stops the push, the change left pending: the next
// plan reads the state, so a create that landed is found by its name,
// dateStart and attendees and not sent twice.
package coachingpush
