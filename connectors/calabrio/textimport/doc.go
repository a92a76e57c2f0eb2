// Package textimport is the calabrio-text-import push target: text
// contacts (emails, chats, ...) into Calabrio QM through the Generic Text
// Import with Multiple Files (POST /api/upload/textcontacts/), one upload
// per batch: a CSV of the contacts and a TXT file per body.
//
// The rows are the cal_text_contact_import_row table the text-contact file
// kind makes (the body inline in its text column), or any table mapped onto
// it. textType (chat, email, facebook, other, website), filename (a .txt
// name), time and username are required; lists go out pipe-delimited and
// metadata as name=value pairs joined by pipes, as the reference's CSV
// example does.
//
// A contact with an id is idempotent on the tenant ("contacts whose id was
// already used are skipped"), so it may be sent again safely: a batch left
// pending by a stopped run is sent again when its contacts have ids. One
// without an id would be imported twice, so the job's ledger skips it once
// acknowledged, and skips it with a reason when it was in flight when a run
// stopped. Uploads are sent once (again only after a refused connection).
// Rows of an upload are "sent": the answer's shape is not documented.
package textimport
