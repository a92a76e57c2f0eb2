// Package orgimport is the calabrio-org-import push target: it writes
// groups, then teams, then persons into Calabrio ONE through the Bulk
// Organization Import (POST /api/upload/groups|teams|persons, one CSV file
// per multipart upload), planning against the tenant's current org read
// through the Export API (GET /api/rest/fileexport/<type>).
//
// Identity follows the reference: a group or team is its name; a person is
// its person id when the tenant has it, else its email, AD login or ACD id
// (any one matching; identifiers naming two different persons make the row
// invalid). The upload files follow the documented rules: the exact header
// and column order for groups and teams, zero-padded MM/DD/YYYY dates,
// True/False, 0 as the id of a new group or team (the existing id for an
// update), 12/31/2999 as the deactivation date of a new row the input
// leaves open, semicolon lists. A persons file carries the documented
// columns the batch uses, in the documented order.
//
// The import only inserts and updates, so a plan never deletes. An update
// sends the whole row: cells the input leaves empty keep the tenant's
// current values (an identifier is never blanked, and neither is anything
// else the row does not have). Only fields the export shows are compared,
// so a change to a field the export does not show (views, rank, ...) is
// sent with a create or with another change, never detected alone.
//
// The upload's answer holds no per-row result (the reference documents
// none), so after each upload the target reads the export again: a row
// found as planned is created (with its new id) or updated; a row not found
// failed. An upload is an upsert by name and identifier, so retrying it
// cannot duplicate anything: uploads are retried like reads.
package orgimport
