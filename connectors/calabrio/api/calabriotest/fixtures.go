package calabriotest

import _ "embed"

// The reference's examples (see testdata/README.md). Verbatim ones are as
// printed, not valid JSON; the others are repaired copies.
var (
	//go:embed testdata/authorize_response.json
	AuthorizeResponse []byte
	//go:embed testdata/authorize_response.verbatim.txt
	AuthorizeResponseVerbatim []byte
	//go:embed testdata/contact.json
	ContactExample []byte
	//go:embed testdata/contact.verbatim.txt
	ContactExampleVerbatim []byte
	//go:embed testdata/media_not_ready.json
	MediaNotReady []byte
	//go:embed testdata/media_not_ready.verbatim.txt
	MediaNotReadyVerbatim []byte
	//go:embed testdata/media_post_response.json
	MediaPostResponse []byte
	//go:embed testdata/report_post_request.json
	ReportPostRequest []byte
	//go:embed testdata/report_post_request.verbatim.txt
	ReportPostRequestVerbatim []byte
	//go:embed testdata/transcript_request.verbatim.txt
	TranscriptRequestVerbatim []byte
	//go:embed testdata/teams_export.csv
	TeamsExport string
	//go:embed testdata/teams_export.verbatim.tsv
	TeamsExportVerbatim string
)

// GroupsExport is a groups export in the shape of the teams example (the
// reference shows none): English headers, M/D/YYYY dates, 12/31/2999 for
// "not deactivated".
const GroupsExport = "Group ID,Name,Activated Date,Deactivated Date\n" +
	"2,Default Group,8/17/2016,12/31/2999\n" +
	"4,Old Group,8/17/2016,1/1/2019\n"

// PersonsExport is a persons export (the reference shows none; Person ID
// and Email are headers it shows elsewhere, the others are the org
// package's English labels).
const PersonsExport = "Person ID,Email,First Name,Last Name,Time Zone,Member Group,Activated Date,Deactivated Date,Roles,Enable Scheduling,ACD ID,ACD Server ID\n" +
	"12,agent1@example.com,Ann,Agent,America/Chicago,Exported Team,8/17/2016,12/31/2999,Agent,TRUE,1001,1\n" +
	"13,agent2@example.com,Ben,Agent,America/Chicago,Exported Team 2,8/17/2016,12/31/2999,Agent;Supervisor,FALSE,,\n"

// DefaultFileExports are the exports served when Options.FileExports is nil.
func DefaultFileExports() map[string]string {
	return map[string]string{"groups": GroupsExport, "teams": TeamsExport, "persons": PersonsExport}
}
