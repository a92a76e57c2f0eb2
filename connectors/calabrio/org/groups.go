package org

// Table names.
const (
	GroupTable  = "cal_group"
	TeamTable   = "cal_team"
	PersonTable = "cal_person"
)

// maxName is the documented maximum of a group or team name.
const maxName = 60

// idField is the id column; label is its English export header.
func idField(label string) field {
	return field{key: "id", column: "id", typ: tID, need: true, header: true, labels: []string{label}}
}

// The other fields shared by groups and teams, in the documented order.
var (
	fName = field{key: "name", column: "name", typ: tText, max: maxName, need: true, header: true}
	// activatedDate is "Req Y" but "Default = current date": an empty
	// value is allowed and means the import date.
	fActivated = field{key: "activatedDate", column: "activated_date", typ: tDate, header: true,
		labels: []string{"Activated Date"}}
	fDeactivated = field{key: "deactivatedDate", column: "deactivated_date", typ: tDate, need: true, header: true,
		labels: []string{"Deactivated Date"}}
)

const sentinelDoc = "deactivated_date is kept as given, including the 12/31/2999 sentinel; " +
	"deactivated_is_open_ended is true exactly when deactivated_date is 2999-12-31, which the export writes " +
	"for a row that is not deactivated (the upload docs require deactivatedDate but define no sentinel, doc error 30, " +
	"so the export's meaning is assumed for upload files too). "

const idDoc = "id is the Calabrio ID from an export (the docs' \"ID in the ACD\" is wrong, doc error 28); " +
	"0 in an upload file means a new row, so only non-zero ids are keys and name is the natural key " +
	"(the docs' groupName/teamName columns are called name, doc error 27). "

const layoutDoc = "file_layout says which header the row's file had: import (the Bulk Organization Import upload CSV) " +
	"or export (GET /api/rest/fileexport, localized headers, M/D/YYYY dates, TRUE/FALSE)."

var groups = (&spec{
	kind:    "org-groups",
	what:    "groups",
	example: "ID de groupe=id;Nom=name",
	fields:  []field{idField("Group ID"), fName, fActivated, fDeactivated},
	exact:   true,
	deact:   3,
	sched:   -1,
}).build(GroupTable, "one row per group row of a Calabrio groups file: the upload CSV (/api/upload/groups, "+
	"exact header id,name,activatedDate,deactivatedDate) or a groups export. "+idDoc+
	"activated_date is null when the cell was empty (Calabrio then uses the import date). "+sentinelDoc+layoutDoc, false)

var teams = (&spec{
	kind:    "org-teams",
	what:    "teams",
	example: "Team ID=id;Nom=name",
	fields: []field{idField("Team ID"), fName, fActivated, fDeactivated,
		// parentGroupId holds the parent group's NAME (doc error 29), so
		// its column says so; it names a group, hence the group-name
		// maximum.
		{key: "parentGroupId", column: "parent_group_name", typ: tText, max: maxName, need: true, header: true,
			labels: []string{"Parent Group ID"}},
		// "Req Y" with "Default = true": an empty value is allowed.
		{key: "productivityCompilation", column: "productivity_compilation", typ: tBool, header: true,
			labels: []string{"Productivity Compilation"}},
	},
	exact: true,
	deact: 3,
	sched: -1,
}).build(TeamTable, "one row per team row of a Calabrio teams file: the upload CSV (/api/upload/teams, "+
	"exact header id,name,activatedDate,deactivatedDate,parentGroupId,productivityCompilation) or a teams export "+
	"(Team ID,Name,Activated Date,Deactivated Date,Parent Group ID,Productivity Compilation). "+idDoc+
	"parent_group_name is the parentGroupId column, which holds the parent group's NAME, not an ID "+
	"(doc error 29: the example gives Sales, the export Default Group); it joins cal_group.name. "+
	"activated_date is null when the cell was empty (Calabrio then uses the import date); "+
	"productivity_compilation is null when the cell was empty (Calabrio's default is true). "+sentinelDoc+layoutDoc, false)
