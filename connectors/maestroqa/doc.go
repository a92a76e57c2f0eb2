// Package maestroqa decodes MaestroQA coaching exports ("코칭 내보내기 API",
// reference/maestroqa-coaching-export-api.ko.txt; SPEC.md section 2) into
// six tables: mqa_coaching_session, mqa_coaching_activity_log,
// mqa_coaching_point, mqa_coaching_point_form, mqa_todo and mqa_todo_form.
//
// The maestroqa-coaching kind reads saved export bodies (.json files, in
// folders or ZIP archives). The export API connector reuses the same
// Decoder: NewDecoder once per run, then Decode (or DecodeInput) once per
// response body, so de-duplication spans every window of the run; Report
// gives the run-report findings, Release frees it. SessionTable,
// ActivityLogTable, PointTable, PointFormTable, TodoTable, TodoFormTable
// (and Tables, all six in order) are the schemas.
//
// # Reading
//
// A body is the JSON array the API returns. It is streamed one session at
// a time (encoding/json's Decoder: Token for '[', then Decode per element),
// so memory holds one session plus the de-duplication state, never the
// body. A UTF-8 byte-order mark is skipped. Broken JSON (a syntax error, a
// cut-short array, data after it, a top-level value that is not an array,
// such as a saved {"error": ...} response or the reference's own JS-like
// pseudo-JSON) fails the body with the record index and byte offset, and
// without quoting any byte of it. Keys are matched as encoding/json does
// (case-insensitively); unknown keys are ignored.
//
// # Records and rejects
//
// Every documented field is typed: strings as utf8, Dates as
// timestamp[ms, UTC], booleans as bool, string[] as list<utf8>; a value of
// another JSON type rejects its record, naming the field. isDeleted is kept
// (soft deletes are rows). Only _id is required; null and absent fields
// are null. score stays the raw string (a JSON number there is kept as its
// text) and score_value is its float64 value, null when it is not a plain
// decimal number ("n/a", "85%", "4,5"). A string with invalid UTF-8
// rejects its record, with the byte offset in the text.
//
// A reject means a record ccetl could not decode, never that it asked for
// something MaestroQA does not have. The export API kind asks only for
// date windows (one POST each, nothing per record): a window without
// sessions is an empty array and an empty, named input, not an error; an
// answer that is not the documented array, or a status the reference does
// not list (a 404 from a wrong base_url, say), fails the run with the
// vendor's message and commits nothing.
//
// Rejects carry the session's 0-based record index in the body; a child
// (activityLog, coachingPoints, todos entry or a coachingFormIds element)
// names its position in the reason, e.g. "coachingPoints[1]: required value
// is missing". Rows that depend on a rejected record are rejected with it:
// the activity log of a rejected session, the form links of a rejected
// point or to-do. Points and to-dos of a rejected session are judged on
// their own, since they are entities of their own. An element that is not
// an object is rejected without reading inside it.
//
// Dates: the wire form of Date is unspecified (doc error 59). Accepted:
// ISO-8601 / RFC 3339 strings (with or without fraction and zone, or a date
// alone; no zone means UTC), epoch milliseconds as a JSON number, and
// MongoDB extended JSON {"$date": ...} (see date.go).
//
// # De-duplication
//
// Sessions, points and to-dos are written once per _id per run (decoder)
// across sessions, bodies and files; every further copy is counted as
// merged (rowbuild.Batcher.Merge). Which copy is written: with Prescan
// (the kind's default, option duplicates=latest, which reads every file
// twice) the valid copy with the latest updatedAt, the first on a tie; in
// one pass (duplicates=first, or the API decoding bodies as they arrive)
// the first valid copy, since a copy already emitted cannot be taken back
// without holding rows. The run report ("maestroqa_duplicates") counts, per
// table, the merged copies, those that differ from the written copy, and
// those newer than it that were not written. Memory per _id is a few
// counters, the updatedAt and a 64-bit fingerprint of the copy.
//
// A session's activity log follows the session: merged with a merged copy.
// Form links follow their point or to-do: the written copy's
// coachingFormIds are written (a form id repeated in one list is merged);
// the links of a merged copy are merged, also when they differ (the
// differing copy is counted in the report). Each session also lists its
// children's _ids (coaching_point_ids, todo_ids), since de-duplicated points
// and to-dos no longer say under which sessions they were exported.
//
// Cost: encoding/json scans a child record a few times (the element, the
// session, the child): about 25 MB/s of one core on the benchmark
// body; duplicates=latest doubles it. Fine for export windows; a
// hand-written tokenizer would be the next step if it is not.
//
// # Partitions
//
// Sessions, points and to-dos by created_at; the activity log by timestamp.
// The two link tables are unpartitioned: a link has no date of its own, its
// parent's created_at may be null, and the tables are small.
package maestroqa
