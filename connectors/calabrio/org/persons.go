package org

// Positions of the persons fields the row function refers to.
const (
	pDeactivated      = 8
	pEnableScheduling = 13
	pAcdID            = 24
	pAcdServerID      = 25
)

// The persons fields, in the order of the documented field table. Only
// "Person ID" and "Email" are export headers the reference shows (in the
// Import Preferences example); the other English labels are the field
// descriptions' words and can be corrected with the header_map option.
var personFields = []field{
	{key: "personId", column: "person_id", typ: tID, need: true, header: true, labels: []string{"Person ID"}},
	{key: "email", column: "email", typ: tText, max: 254, need: true, header: true},
	{key: "firstName", column: "first_name", typ: tText, max: 50, need: true, header: true, labels: []string{"First Name"}},
	{key: "lastName", column: "last_name", typ: tText, max: 50, need: true, header: true, labels: []string{"Last Name"}},
	{key: "timeZone", column: "time_zone", typ: tText, labels: []string{"Time Zone"}},
	{key: "adLogin", column: "ad_login", typ: tText, max: 50, labels: []string{"AD Login"}},
	// memberGroup is "The team to which the user belongs" (doc error 31).
	{key: "memberGroup", column: "member_team_name", typ: tText, labels: []string{"Member Group"}},
	{key: "activated", column: "activated_date", typ: tDate, labels: []string{"Activated Date"}},
	{key: "deactivated", column: "deactivated_date", typ: tDate, labels: []string{"Deactivated Date"}},
	{key: "locale", column: "locale", typ: tText},
	{key: "roles", column: "roles", typ: tList},
	{key: "scopegroups", column: "scope_groups", typ: tList, labels: []string{"Scope Groups"}},
	{key: "scopeteams", column: "scope_teams", typ: tList, labels: []string{"Scope Teams"}},
	{key: "enableScheduling", column: "enable_scheduling", typ: tBool, labels: []string{"Enable Scheduling"}},
	{key: "views", column: "views", typ: tList},
	{key: "mainView", column: "main_view", typ: tText, labels: []string{"Main View"}},
	{key: "companyStartDate", column: "company_start_date", typ: tDate, labels: []string{"Company Start Date"}},
	{key: "companyEndDate", column: "company_end_date", typ: tDate, labels: []string{"Company End Date"}},
	{key: "departmentStartDate", column: "department_start_date", typ: tDate, labels: []string{"Department Start Date"}},
	{key: "employeeId", column: "employee_id", typ: tText, labels: []string{"Employee ID"}},
	{key: "rank", column: "rank", typ: tText},
	{key: "qmViews", column: "qm_views", typ: tList, labels: []string{"QM Views"}},
	{key: "isReconcileOnly", column: "is_reconcile_only", typ: tBool, labels: []string{"Is Reconcile Only"}},
	{key: "scopetenant", column: "scope_tenant", typ: tBool, labels: []string{"Scope Tenant"}},
	{key: "acdId", column: "acd_id", typ: tText, labels: []string{"ACD ID"}},
	{key: "acdServerId", column: "acd_server_id", typ: tText, labels: []string{"ACD Server ID"}},
}

var persons = (&spec{
	kind:       "org-persons",
	what:       "persons",
	example:    "ID de personne=personId;Prénom=firstName",
	fields:     personFields,
	deact:      pDeactivated,
	sched:      pEnableScheduling,
	schedNeeds: []int{pAcdID, pAcdServerID},
}).build(PersonTable, "one row per person row of a Calabrio persons file: the upload CSV (/api/upload/persons; "+
	"the documented columns by name, any case and order, personId, email, firstName and lastName required) "+
	"or a persons export (localized headers such as Person ID, Email). "+
	"person_id is the Calabrio person ID; 0 in an upload file means a new person, so the natural keys are "+
	"email, ad_login and acd_id (a person matches on any of them). Maximum lengths as documented: email 254, "+
	"first_name, last_name and ad_login 50. member_team_name is the memberGroup column, documented as "+
	"\"the team to which the user belongs\" (doc error 31). roles, scope_groups, scope_teams, views and qm_views "+
	"are the semicolon-separated values, trimmed, empty items dropped (the views/qmViews delimiter is not documented, "+
	"semicolon assumed; doc error 32); null when the cell was empty. acd_id and acd_server_id are required when "+
	"enable_scheduling is true (doc error 31). Empty cells are null. "+
	"deactivated_date is kept as given, including the 12/31/2999 sentinel, whose meaning depends on the file: "+
	"deactivated_is_open_ended is true exactly when deactivated_date is 2999-12-31 (null without a date); "+
	"in an export that means the person is not deactivated; in an upload file it is the documented instruction "+
	"\"to activate a deactivated user ... set this date to 12/31/2999\", which reactivate_requested records: "+
	"true for an upload row with 12/31/2999, false for any other upload row, null for export rows (an export "+
	"states, it does not request). "+layoutDoc, true)
