// Package contact decodes a Calabrio bulk contact import upload (Calabrio
// ONE API reference, "Bulk Contact Import API", /api/upload/contacts) into
// cal_contact_import_row, one row per contact, and
// cal_contact_import_recording, one row per recording file of the upload.
//
// All inputs of a run form one upload, like one multipart request: CSV and
// JSON metadata files, recordings (wav, webm, webma, webmv, spx, wmv) and
// ZIPs of them, whose folders are flattened (see package upload). A contact
// naming a recording that is not in the upload is rejected, as the import
// would fail it; recordings a contact references are copied next to the
// tables through the run's file store, once each, and the row records the
// stored path, size and sha256 of each. Recordings no written contact
// references are listed in the run report (unreferenced_recordings, and
// recordings_referenced_only_by_rejected_rows) and in the recording table
// (referenced=false). Every row carries upload_id, the run key of the
// upload's inputs (SPEC section 9's batch_id): stable across reruns of the
// same inputs, it is also the folder of the stored recordings.
//
// Choices where the reference is unclear or wrong (SPEC section 8, errors
// 16-26):
//   - CSV: the time zone column is ClientTimeZone or TimeZone (16); Called
//     and Calling are accepted as CalledAddress and CallingAddress (18), in
//     JSON too, where the example uses the CSV names. Both forms in one file
//     or record are an error. Audio.Location, Audio.StartTimeMs,
//     Screen.Location and Screen.StartTimeMs are accepted as CSV columns,
//     since the table says "Used in CSV and JSON" (19).
//   - Custom fields are the columns named metadata.<name> (22: the text
//     says "beginning with metadata"; a column that does and lacks the dot
//     fails the file, as its field name is unclear). Any other unknown
//     column fails the file too, since its values would vanish without a
//     trace: the reference's full CSV example is rejected for its PDF-broken
//     "metad ata.accountNumber" header. Limits: name 1..39 characters,
//     value up to 2056 (as documented, although 2048 looks meant).
//   - AgentId is not checked against the three documented forms: the
//     example's "calabrio/bunkowm" (21) fits none. agent_id_format says how
//     Calabrio would read it: ad_login (holds "\"), email (holds "@") or
//     person_id. CSV needs AgentId and Recording1; JSON needs neither
//     (AgentId defaults to the uploader).
//   - Values are stored as sent: an absent ContactStartTimeMs (20) stays
//     null (Calabrio would use the upload time; such rows land in the null
//     partition), absent Audio/Screen start times and Recording2Offset stay
//     null (documented defaults: ContactStartTimeMs and 0).
//   - "Only a single audio file per contact is allowed": two audio-only
//     recordings (wav, webma, spx) among Recording1, Recording2,
//     Audio.Location and Screen.Location reject the contact; webm and wmv
//     may be video, so they never count. JSON Audio and Screen are arrays
//     (19); more than one entry in either is a reject, and a lone object is
//     taken as an array of one. The same file in two slots is a reject.
//   - contact_key is CallId, or "h:" and a hash of AgentId and
//     ContactStartTimeMs (SPEC section 9).
//   - Data Server uploads (CONTACT. prefix, 26) need no special case: the
//     prefix is part of the file name.
//
// Recording references match file names exactly (multipart keys are case-
// sensitive). Files of other types in the upload are listed in the report
// as unsupported_files.
package contact
