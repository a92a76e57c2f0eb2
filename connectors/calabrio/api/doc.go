// Package api holds the Calabrio ONE pull kinds, written from the Calabrio
// ONE API Reference Guide v11.0 (reference/calabrio-one-api-reference-v11.txt):
//
//   - calabrio-report: a Data Explorer report through the Bulk Report Data
//     Export (POST /api/rest/dataexplorer/report/{reportId}/export) into
//     cal_report_<report_name>, typed by the columns option, and every
//     asynchronous export request into cal_report_export_job.
//   - calabrio-contacts: the Contact API search (GET
//     /api/rest/recording/contact, one day per request, expand=metadata)
//     into cal_contact and cal_contact_metadata; with media: true each
//     contact's recording through the Single Contact Export into the sink's
//     file store and cal_contact_media; with transcripts: true its
//     transcript (PUT /api/rest/cas/speechtextview) into cal_transcript.
//   - calabrio-org-export: GET /api/rest/fileexport/{groups,teams,persons}
//     into cal_group, cal_team and cal_person, decoded by the org package.
//
// # Sessions
//
// One Authenticator serves every kind (httpx.NewSessionAuth): POST
// /api/rest/authorize with the credentials as JSON, the answer's sessionId
// sent as "Cookie: hazelcast.sessionId=<id>" on every request. httpx logs in
// again after a 401 or a 403 and retries the request once; a second refusal
// fails the run. The source's Close sends DELETE /api/rest/authorize to the
// tenant host (the reference hard-codes https://calabriocloud.com, doc error
// 6). The user name goes under "username", as the POST example sends it; the
// field table says userId (doc error 1), so login_key can choose userId or
// both. The session's lifetime is not relied on: the reference says two
// hours of inactivity, the answer "sessionTimeout":"60" (doc error 4).
//
// # Report exports
//
// Each page asks for at most page_rows (10,000) rows with
// pageSpecification[0] and column_limit columns with pageSpecification[1].
// A CSV answer is the page; a JSON answer names a request polled at GET
// .../export/request/{requestId} (backoff from poll_interval to
// poll_max_interval) through Queued and Processing until its CSV comes. A
// poll that names another request ID is followed. Failed, Canceled and
// Expired requests are submitted again, at most max_resubmits times;
// Blacklisted stops the run with ErrBlacklisted (nothing is committed). The
// Content-Extent header's first number, when present, is the total of rows,
// so a report of n rows takes exactly ceil(n/page_rows) pages; without it
// pages run until a short one. The JSON key names of the asynchronous answer
// are never shown (doc error 12): requestId/requestID/request_id/id and
// status/state are accepted in any case.
//
// The report's columns come from the columns option, so the table's schema
// is built at Open. CSV columns the option does not list go to
// other_columns (map<utf8,utf8>) rather than being dropped or failing the
// run; a listed column missing from the CSV is null. With the placeholders
// {start_ms} and {end_ms} in params (a Date Range parameter, whose encoded
// form the reference does not show, doc error 14) the run exports day
// windows on a fixed grid and keeps the cursor window_end, so a rerun of a
// window replaces its files. This is the reference's "take the time of the
// last item ... as the start of the new range" made exact: the next range
// starts at the end of the last exported whole day, less repull_days.
//
// # Checkpoints
//
// A windowed report emits a checkpoint batch (pipeline.Batch Checkpoint)
// after every page of a window and its export-job rows; calabrio-contacts
// emits one after each day's contacts, metadata, media and transcripts.
// Each names the window's input and carries the cursor the kind's rule
// gives for the windows done so far (the window's end, at most end and
// today's start, never before the saved cursor), so a run that fails later
// keeps the windows it finished. A report without the date placeholders
// is one export with no cursor and emits none. A contact found on a
// checkpointed day and again on a later one is written under the first
// day; a run resumed after a failure writes it under the later day too.
//
// # Contacts
//
// No pagination is documented, so each search covers one day. A search
// that finds no contact is answered 404 ("If there are no contacts that
// meet the given parameters ... the system returns a 404"): the day is
// empty, counted in the report (days_without_contacts), and still named
// as an input so a rerun removes what an earlier run wrote for it. The
// login, on the same base_url, fails first when the URL is wrong. The
// expanded metadata shape is not shown (the example has only a $ref): an
// object of key -> value and an array of {key|name, value} objects are both
// read. Fields the reference does not show go to extra_json. Media and a
// transcript are asked for only where the contact has a recording (not
// when audioUploaded and screenUploaded are both false). A rejected row is
// an answer ccetl cannot decode, never something the tenant does not have:
// media or a transcript the tenant answers 404 for (not transcribed yet,
// expired) or media not prepared within media_attempts GETs are counted in
// the report (media_unavailable, media_not_ready, transcripts_unavailable,
// with the first contact ids) and asked for again when the next run
// re-pulls the trailing window: a day is searched again while it is within
// repull_days of the saved cursor, so repull_days should cover how long
// the tenant takes to transcribe a call. Another 4xx (other than 401, 403
// and 429) for one contact rejects that row with the reason; the run goes
// on. A media file is prepared with a POST and fetched with GETs until
// the "does not exist or may have expired" answer (as an error status or a
// JSON body) gives way to the file, at most media_attempts GETs with
// doubling waits; the file is streamed into the sink's FileStore. The transcript's answer shape is not
// documented (doc error 42) and is kept as JSON text.
//
// # Departures from the house style
//
// Report pages and contact searches are read whole with httpx's Do (which
// retries a body cut off part way) instead of streamed: a page is at most
// 10,000 rows and a search one day of contacts, and decoding them in
// batches keeps the Arrow side bounded. Media files and org exports, whose
// size has no bound, are streamed; a download cut off part way is fetched
// again, since httpx's Stream leaves that to the caller, each time spending
// a retry of retry_budget (httpx.RetryBudget.Spend). The org export body is
// decoded as it arrives by the org package (org.NewExportSource), nothing
// spooled: when it breaks off, the export is asked for again and the bytes
// already decoded are skipped after checking they are the same.
package api
