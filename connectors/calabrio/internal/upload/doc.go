// Package upload is what the two Calabrio multipart upload kinds share
// (bulk-contact: /api/upload/contacts; text-contact: /api/upload/textcontacts).
//
// Every input of a run together forms one upload, as if it were one
// multipart request: loose files and ZIP members alike, folders inside ZIPs
// flattened to base names ("Any folder structure in the ZIP file is
// flattened and ignored"). Resolve sorts the files of an upload into
// metadata files (CSV, JSON), content files (recordings or TXT bodies, by
// the kind's extensions) and files of no supported type, and refuses an
// upload in which two files share a base name, across archives and loose
// files too, since a row could not say which one it means. The upload's
// ZIPs are bound by inputs.Limits (the kinds' max_member_bytes,
// max_zip_bytes, max_zip_ratio, max_zip_entries and max_zip_depth
// options), so a ZIP bomb is refused before anything is written; a member
// that inflates past its declared size fails its copy, and the staged copy
// is dropped with the run.
//
// Rows reads the metadata files into one table: CSV through the csvin
// tokenizer (header, field count, invalid UTF-8 as rejects with file:line),
// JSON as one object or an array streamed element by element with
// encoding/json's Decoder (rejects carry the 0-based record index). A row
// function stages typed values and may reference content files: the upload
// counts, per file, the written and the rejected rows that named it, so a
// kind can report the files no row uses. Content files are copied next to
// the tables through the pipeline.FileStore the runner hands the source,
// once each, under their base name only: a member named ../../x.wav is
// stored as x.wav.
//
// The CSV loop is not connectors/internal/tabular's because a row here
// may carry more input than its CSV record (a text body read from a TXT
// file), which must count towards the batch byte bound, and because a row
// function needs the run's context to copy files.
package upload
