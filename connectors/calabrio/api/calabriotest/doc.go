// Package calabriotest is an httptest emulator of the Calabrio ONE API
// endpoints the calabrio pull kinds use, written from the Calabrio ONE API
// Reference Guide v11.0 (reference/calabrio-one-api-reference-v11.txt):
//
//   - POST, GET and DELETE /api/rest/authorize: JSON credentials (the
//     POST example's "username", or the table's "userId"), a sessionId in
//     the answer (the reference's own example, repaired), the session sent
//     back as "Cookie: hazelcast.sessionId=<id>". Sessions expire after a
//     number of requests or a time (Options.SessionRequests,
//     SessionTTL); an expired or unknown session gets 401 (or 403).
//   - POST /api/rest/dataexplorer/report/{reportId}/export and GET
//     .../export/request/{requestId}: the request body is checked against
//     the reference's example (schema names, action, qname), rows are paged
//     by pageSpecification (at most 10,000, else 400) and columns by its
//     second entry; the answer is CSV at once (Report.Async false) or a
//     JSON {"requestId","status"} polled through a script of the six
//     documented statuses, and a poll may answer with a new request ID.
//   - GET /api/rest/recording/contact: the search by beginDate/endDate
//     (defaults today-60 days and today, GMT), contacts shaped like the
//     reference's example, metadata inline with expand=metadata and as a
//     $ref link otherwise; a search that finds no contact answers 404, as
//     the reference says.
//   - POST then GET /api/rest/recording/media/export/contact/<id>?type=:
//     {"encoding":"true"}, then the reference's "does not exist or may have
//     expired" answer until the file is ready, then the bytes; "Requested
//     contact does not exist!" (404) for an unknown contact or one in
//     Options.NoMedia.
//   - PUT /api/rest/cas/speechtextview: {"ccrid":N,"isRootRecording":"false"}.
//     A contact without a recording (audioUploaded and screenUploaded both
//     false), an unknown ccrid or one in Options.NoTranscript answers 404
//     (the reference documents no error; this is the emulator's choice).
//     Emulator.Provide makes held-back media and transcripts available.
//   - GET /api/rest/fileexport/<importType>: the CSV exports, the teams one
//     being the reference's example.
//
// Everything the reference leaves out is the emulator's choice, and says
// so where it is made: error bodies are {"errorMessage": ...} (the shape
// of the one documented error), 429 is answered when Options.Limits are
// exceeded (Calabrio documents no limit), Content-Extent is "<rows>,<columns>",
// the JSON keys of the asynchronous answer are requestId and status, the
// expanded metadata is an object of key -> value, and the transcript is a
// JSON object with the words. Faults (any status, or a body cut off part
// way) can be injected per method and path.
package calabriotest
