// Package org decodes Calabrio ONE organization CSV files (API reference
// v11: Bulk Organization Import API, Export API, Import API) into three
// dimension tables: org-groups into cal_group, org-teams into cal_team and
// org-persons into cal_person.
//
// Each kind reads two layouts of its file and tells them apart by the
// header:
//
//   - The upload layout, what /api/upload/{groups,teams,persons} takes. For
//     groups and teams "the column headers must match ... exactly. You cannot
//     reorder or omit any of the columns", so the header must be
//     id,name,activatedDate,deactivatedDate (groups) or
//     id,name,activatedDate,deactivatedDate,parentGroupId,productivityCompilation
//     (teams), byte for byte; any other header fails the file with an error
//     giving the expected header and each difference. The persons header has
//     no such rule and no example: its documented columns are matched by
//     name in any case and order, and personId, email, firstName and
//     lastName must be there. Dates are MM/DD/YYYY (month first; a one-digit
//     month or day is taken too, since the export writes them that way and
//     the Import API maps such a column with the MM/DD/YYYY type).
//   - The export layout, what GET /api/rest/fileexport/{type} returns:
//     headers "localized to match the user's selected locale" (Team ID, Name,
//     Activated Date, ...), M/D/YYYY dates and TRUE/FALSE. A file is an
//     export when a column is named by an export label instead of its upload
//     name. The English labels are built in; the header_map option adds the
//     labels of other locales (label=field;...), and date_order reads D/M/YYYY
//     exports. Only Team ID ... Productivity Compilation, Person ID and Email
//     are labels the reference shows; the others are derived from the field
//     descriptions and can be corrected with header_map.
//
// In both layouts a column no field claims fails the file (header_map can
// drop it on purpose with label=-), booleans are True/False in any case,
// semicolon lists become list<utf8>, ids are whole numbers (0 means a new
// row in an upload file), and values over a documented maximum length
// (group and team names 60, email 254, first and last name 50, adLogin 50)
// are rejected with the reason. The tables keep dates as given, including
// the 12/31/2999 sentinel, and add deactivated_is_open_ended (and, for
// persons, reactivate_requested) so its meaning is not lost; the Table Doc
// strings say what each column means.
//
// Other doc errors of SPEC.md section 8 met here: the Import API also lists
// DD/MM/YYYY and the export writes 8/17/2016 (33): upload files are read
// month first, exports by date_order. Export headers cannot be re-imported
// without a mapping (34): the built-in labels and header_map are that
// mapping. The Export API's request fields and "JSON output" are the Agent
// API's (35): the output read here is the CSV of the import type, and the
// import type is called persons in exports and users in the Import API.
// The Import Preferences mappings (36) are not read: header_map takes
// their column=field pairs.
//
// Error messages name header cells only when they look like column names:
// a file without a header has a data row there, which may be personal data.
package org
