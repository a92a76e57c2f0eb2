// Package contactimport is the calabrio-contact-import push target:
// contacts with their recordings into Calabrio QM through the Bulk Contact
// Import (POST /api/upload/contacts), one multipart upload per batch of
// contacts (a CSV of their metadata and the recordings it names), bounded
// by contacts and bytes.
//
// The rows are the cal_contact_import_row table the bulk-contact file kind
// makes (or any table mapped onto it); the recordings are the files its
// rows name (recording1_path, recording2_path: the files the source stored
// for the push, or a lake's media/ files). Rows are checked first: AgentId
// (a person id, an AD login with a backslash or an email with @) and
// Recording1 are required, lengths as documented, extensions of the
// documented media types, one audio file per contact; a refused row is a
// failed result with its reason.
//
// The import imports a contact sent again a second time, and its state
// cannot be read back, so the job's ledger decides: a contact is keyed by
// its CallId, else by agent, start time and the first recording's sha256;
// one acknowledged with the same content (metadata and recordings' sha256)
// is skipped. A batch that was being sent when a run stopped (pending in
// the ledger) may or may not be on the tenant: its contacts are skipped,
// never sent twice, with a reason saying so, and counted as skipped; an
// admin who finds them missing removes the job's ledger entries
// (_state/<job>/ledger/) to send them again. For the same reason an upload
// is never retried after it may have reached the tenant: only a connection
// that was refused is tried again.
//
// The upload's answer has no documented per-contact shape, so its contacts
// are "sent", never "created"; the answer is kept in the run report.
package contactimport
