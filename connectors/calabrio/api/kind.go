package api

import (
	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/pipeline"
)

// Kinds returns every Calabrio ONE pull kind.
func Kinds() []pipeline.Kind { return []pipeline.Kind{ReportKind(), ContactsKind(), OrgExportKind()} }

// ReportKind is calabrio-report: a Data Explorer report through the Bulk
// Report Data Export.
func ReportKind() pipeline.Kind {
	return pipeline.Kind{
		Name: ReportKindName,
		Doc: "Calabrio ONE Data Explorer report rows (POST /api/rest/dataexplorer/report/{reportId}/export, CSV now or " +
			"a request ID polled at GET .../export/request/{requestId}), paged by at most 10,000 rows, typed by the columns " +
			"option; with a Date Range parameter in params, day windows resumed from a cursor",
		Tables:   []pipeline.Table{reportTemplate, ExportJob},
		Options:  reportOptionDocs,
		Validate: func(m map[string]string) error { _, err := parseReportOptions(m); return err },
		Open:     openReport,
	}
}

// ContactsKind is calabrio-contacts: the Contact API search, one day at a
// time, with optional media and transcripts.
func ContactsKind() pipeline.Kind {
	return pipeline.Kind{
		Name: ContactsKindName,
		Doc: "Calabrio ONE recorded contacts and their metadata (GET /api/rest/recording/contact, one day per search, " +
			"expand=metadata), optionally with each contact's media file (Single Contact Export) and transcript " +
			"(Transcript Export)",
		Tables:   []pipeline.Table{Contact, Metadata, Media, Transcript},
		Options:  contactOptionDocs,
		Validate: func(m map[string]string) error { _, err := parseContactOptions(m); return err },
		Open:     openContacts,
	}
}

// OrgExportKind is calabrio-org-export: the groups, teams and persons CSV
// exports, decoded by the org kinds.
func OrgExportKind() pipeline.Kind {
	var tables []pipeline.Table
	for _, k := range []pipeline.Kind{org.GroupsKind(), org.TeamsKind(), org.PersonsKind()} {
		tables = append(tables, k.Tables...)
	}
	return pipeline.Kind{
		Name: OrgExportKindName,
		Doc: "Calabrio ONE organization exports (GET /api/rest/fileexport/{groups,teams,persons}, CSV with localized " +
			"headers) into the org tables, decoded as the org-groups, org-teams and org-persons kinds decode an export file",
		Tables:   tables,
		Options:  orgOptionDocs,
		Validate: func(m map[string]string) error { _, err := parseOrgOptions(m); return err },
		Open:     openOrgExport,
	}
}
