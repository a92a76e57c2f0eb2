// Package textcontact decodes a Calabrio generic text import upload
// (Calabrio ONE API reference, "Generic Text Import with Multiple Files
// API", /api/upload/textcontacts) into cal_text_contact_import_row: one row
// per text contact, with the body of the TXT file it names.
//
// All inputs of a run form one upload, like one multipart request: CSV and
// JSON contact data files, TXT content files and ZIPs of them, whose
// folders are flattened (see package upload). A contact naming a TXT file
// that is not in the upload is rejected. The body goes into the text
// column: it must be valid UTF-8 ("the text should be UTF-8 encoded"; an
// invalid body rejects the row with the line and byte of the first bad
// byte), a leading byte order mark is dropped, and a body over the
// max_body_bytes option (16 MiB by default) rejects the row. text_bytes
// and text_sha256 describe the TXT file as uploaded. TXT files no written
// contact references are listed in the run report (unreferenced_text_files
// and text_files_referenced_only_by_rejected_rows). upload_id is the run key
// of the upload's inputs, stable across reruns of the same inputs.
//
// Choices where the reference is unclear or wrong (SPEC section 8, errors
// 44-46):
//   - textType takes the union of the three documented lists (email, chat,
//     twitter, facebook, website, other) in any case, and is stored in
//     lower case (44).
//   - evalForm in CSV is a form name, stored as eval_form_name even when it
//     looks like an ID (the example's "1", 45). In JSON it is a name, or
//     {"id", "name"} (either or both): eval_form_id and eval_form_name.
//   - metadata in CSV is "name=value|name=value" (shown only in the
//     example, 45); a value may hold "=", and no escape for "|" is
//     documented. receiver and references are pipe-delimited in CSV (empty
//     items dropped) and arrays in JSON, where one pipe-delimited string is
//     accepted too, as the single-request table describes.
//   - id is stored as sent; whether it must be unique per textType is
//     unclear (45), so it is not checked here.
//   - JSON files hold one object per contact, or an array of them (the
//     reference's example lacks the "[", 46). The single-request shape
//     {textType, evalForm, records: [...]} with inline text belongs to
//     /api/rest/cas/importtext, which takes no files; its records are
//     rejected with a message saying so.
//   - Unknown CSV columns fail the file and unknown JSON keys reject the
//     record, so no value vanishes without a trace.
//   - Data Server uploads name the data file TEXTCONTACT (26); the name
//     plays no part here.
//
// The kind copies no files: the body is in the table.
package textcontact
