// Package genesys is the genesys-coaching pull kind: Genesys Cloud coaching
// appointments of the configured users with their attendees, status
// history and annotations (reference/genesys-cloud-coaching-api.md; SPEC.md
// section 3), into four tables: gen_coaching_appointment,
// gen_coaching_appointment_attendee, gen_coaching_appointment_status_history
// and gen_coaching_annotation. Without user_ids it pulls every active user
// of the organization, listed first (GET /api/v2/users, every page [ext])
// into a fifth table, gen_user: id, name, email, username, state, title,
// department, division_id, version, self_uri. genesystest is its API
// emulator; coachingpush is the push target of the same name.
//
// # Users
//
// With user_ids the kind pulls those users' appointments. Without it, the
// run first lists the users (the API's default filter: active users), writes
// them to gen_user under an input of their own (so a rerun replaces them)
// closed by a checkpoint, then pulls the appointments of all of them, in
// chunks of users_per_request. Its output files are named for the user set
// "all", so they are replaced whatever users come and go.
//
// # Requests
//
// Auth is the OAuth client credentials grant (SPEC 1.1 [ext]; the
// reference only shows the SDK's authenticate_with_client_credentials):
// POST <login_url>/oauth/token with grant_type=client_credentials and HTTP
// Basic client_id:client_secret, then "Authorization: Bearer <token>" on
// every call. httpx.SessionAuth logs in on first use, again before an
// announced expiry (tokens living a minute or more) and after a 401.
//
// For each window and each chunk of users_per_request user ids the kind
// reads GET /api/v2/coaching/appointments?userIds=..&userIds=..&interval=
// <start>/<end>&pageNumber=N&pageSize=page_size (wire names camelCase,
// userIds repeated, the interval as RFC 3339 UTC times, which the
// reference's zone-less example form also admits), page after page until
// pageNumber reaches pageCount, or, when a server sends no pageCount, until
// an empty or short page. For every appointment it writes it then reads
// every page of .../appointments/{id}/statuses and .../{id}/annotations.
// The statuses and annotations of up to concurrency (default 8)
// appointments of a page are read at once, so the rate limit, not the
// round trips of one request after another, bounds a backfill; they are
// written in the page's order, and each window still ends in its own
// checkpoint.
//
// Rate limit: rate_limit defaults to 300 requests a minute, Genesys'
// documented default per OAuth client [ext] (the reference states no
// limit); several windows may be given ("300/1m,20/1s"). Token requests
// are not counted against it. A 429 is retried after its Retry-After
// (httpx also holds back the other requests for that long); 5xx, 408 and
// dropped connections are retried with backoff; the run stops when
// retry_budget retries are spent. Other errors (400, 403 for a missing
// permission, 401 after a fresh token) fail the run with the vendor's
// message, and nothing is committed.
//
// # Windows and cursor
//
// A run pulls [start, end): start and end are dates (UTC, end exclusive,
// default the day after the run's date). Without start it resumes from the
// cursor interval_end less repull_days, since appointments change status
// and gain annotations after the fact; without either it fails rather than
// guess. The range is widened to whole cells of a grid of window_days days
// counted from 1970-01-01, and each cell is pulled as one interval: a cell
// is always pulled identically, so its output files (named by the cell,
// the API host and a hash of the user set) replace the ones an earlier run
// wrote for it, including files of partitions the cell no longer fills.
// The new cursor is the later of the saved one and end (a backfill never
// moves it back); it is reported only after every cell was read. After
// the last batch of each cell (its appointments, attendees, status history
// and annotations) the source emits a checkpoint batch (pipeline.Batch
// Checkpoint) naming the cell's input, with the cursor the same rule gives
// for the cells read so far: the later of the saved cursor and the cell's
// end (at most end). A run that fails later keeps the cells it finished and
// resumes from there. An appointment listed in a checkpointed cell and
// again in a later one is then in both cells' files, as happens across
// runs (see Rows).
//
// # Rows
//
// Each appointment id is written once per run; a copy listed again (for
// another user chunk, or in another cell) is merged with its attendees,
// and its children are not read again. Across runs the appointment lives
// in the files of the cell that last listed it; an appointment moved to a
// cell a later run does not pull stays in its old cell's files too, so
// readers should keep the row with the latest date_modified. Repeated
// attendees, status changes (same date_created and status) and annotation
// ids within one appointment are merged.
//
// Typed columns: ISO-8601 date-times as timestamp[ms, UTC], lengthInMinutes
// int64, booleans bool, references ({id, selfUri}) as their id. The ids of
// attendees[] and conversations[] are also kept as lists (attendee_ids,
// conversation_ids), so the appointments table maps onto the push target. Arrays and
// objects whose shape the spec does not give (conversations, documents,
// externalLinks, wfmSchedule) are kept as compact JSON strings. A record
// missing its key (appointment or annotation id; status dateCreated or
// status), or with a field of the wrong JSON type, is rejected, naming the
// field; a rejected appointment rejects its attendees and its children are
// not read.
//
// A reject means an answer ccetl could not decode, never that it asked for
// something Genesys does not have. A 404 for the children of a listed
// appointment means it was deleted meanwhile: no reject, the run goes on,
// logs it and counts it in the report (appointments_gone); the next run's
// repull no longer lists it. A configured user with no appointments is an
// empty page, not an error. A 404 for the appointments list itself (which
// the reference does not document) fails the run with the interval and
// user chunk it was asking for: it would be a wrong api_url, not data.
//
// Partitions: appointments by date_start, status changes and annotations
// by date_created; attendee links have no date and are not partitioned.
package genesys
