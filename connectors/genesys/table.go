package genesys

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names (SPEC 9).
const (
	AppointmentTableName = "gen_coaching_appointment"
	AttendeeTableName    = "gen_coaching_appointment_attendee"
	StatusTableName      = "gen_coaching_appointment_status_history"
	AnnotationTableName  = "gen_coaching_annotation"
	UserTableName        = "gen_user"
)

var (
	tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	str   = arrow.BinaryTypes.String
	// strList holds a list of ids.
	strList = arrow.ListOf(arrow.BinaryTypes.String)
)

func key(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }
func col(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// Columns of gen_coaching_appointment.
const (
	aID = iota
	aName
	aDescription
	aDateStart
	aLengthInMinutes
	aStatus
	aFacilitatorID
	aCreatedByID
	aDateCreated
	aModifiedByID
	aDateModified
	aDateCompleted
	aIsOverdue
	aLocation
	aShareInsightsData
	aConversations
	aDocuments
	aExternalLinks
	aWfmSchedule
	aSelfURI
	aAttendeeIDs
	aConversationIDs
)

// AppointmentTable is one row per appointment (CoachingAppointmentResponse).
var AppointmentTable = pipeline.Table{
	Name: AppointmentTableName,
	Doc:  "one row per coaching appointment, key id (GET /api/v2/coaching/appointments); attendee_ids and conversation_ids list the ids of attendees[] and conversations[], so the table pushes back into the genesys-coaching target as it is",
	Schema: arrow.NewSchema([]arrow.Field{
		aID:                key("id", str),
		aName:              col("name", str),
		aDescription:       col("description", str),
		aDateStart:         col("date_start", tsUTC),
		aLengthInMinutes:   col("length_in_minutes", arrow.PrimitiveTypes.Int64),
		aStatus:            col("status", str),
		aFacilitatorID:     col("facilitator_id", str),
		aCreatedByID:       col("created_by_id", str),
		aDateCreated:       col("date_created", tsUTC),
		aModifiedByID:      col("modified_by_id", str),
		aDateModified:      col("date_modified", tsUTC),
		aDateCompleted:     col("date_completed", tsUTC),
		aIsOverdue:         col("is_overdue", arrow.FixedWidthTypes.Boolean),
		aLocation:          col("location", str),
		aShareInsightsData: col("share_insights_data", arrow.FixedWidthTypes.Boolean),
		aConversations:     col("conversations_json", str),
		aDocuments:         col("documents_json", str),
		aExternalLinks:     col("external_links_json", str),
		aWfmSchedule:       col("wfm_schedule_json", str),
		aSelfURI:           col("self_uri", str),
		aAttendeeIDs:       col("attendee_ids", strList),
		aConversationIDs:   col("conversation_ids", strList),
	}, nil),
	PartitionBy: "date_start",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Columns of gen_coaching_appointment_attendee.
const (
	atAppointmentID = iota
	atUserID
)

// AttendeeTable is one row per appointment and attendee. A link has no
// date of its own, so the table is not partitioned.
var AttendeeTable = pipeline.Table{
	Name: AttendeeTableName,
	Doc:  "one row per appointment and attendee, key appointment_id + user_id (appointment attendees[])",
	Schema: arrow.NewSchema([]arrow.Field{
		atAppointmentID: key("appointment_id", str),
		atUserID:        key("user_id", str),
	}, nil),
}

// Columns of gen_coaching_appointment_status_history.
const (
	sAppointmentID = iota
	sDateCreated
	sStatus
	sCreatedByID
)

// StatusTable is one row per status change.
var StatusTable = pipeline.Table{
	Name: StatusTableName,
	Doc:  "one row per appointment status change, key appointment_id + date_created + status (GET .../appointments/{id}/statuses)",
	Schema: arrow.NewSchema([]arrow.Field{
		sAppointmentID: key("appointment_id", str),
		sDateCreated:   key("date_created", tsUTC),
		sStatus:        key("status", str),
		sCreatedByID:   col("created_by_id", str),
	}, nil),
	PartitionBy: "date_created",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Columns of gen_coaching_annotation.
const (
	nID = iota
	nAppointmentID
	nCreatedByID
	nDateCreated
	nModifiedByID
	nDateModified
	nText
	nIsDeleted
	nAccessType
	nSelfURI
)

// AnnotationTable is one row per annotation.
var AnnotationTable = pipeline.Table{
	Name: AnnotationTableName,
	Doc:  "one row per appointment annotation, key id (+ appointment_id) (GET .../appointments/{id}/annotations)",
	Schema: arrow.NewSchema([]arrow.Field{
		nID:            key("id", str),
		nAppointmentID: key("appointment_id", str),
		nCreatedByID:   col("created_by_id", str),
		nDateCreated:   col("date_created", tsUTC),
		nModifiedByID:  col("modified_by_id", str),
		nDateModified:  col("date_modified", tsUTC),
		nText:          col("text", str),
		nIsDeleted:     col("is_deleted", arrow.FixedWidthTypes.Boolean),
		nAccessType:    col("access_type", str),
		nSelfURI:       col("self_uri", str),
	}, nil),
	PartitionBy: "date_created",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Columns of gen_user.
const (
	uID = iota
	uName
	uEmail
	uUsername
	uState
	uTitle
	uDepartment
	uDivisionID
	uVersion
	uSelfURI
)

// UserTable is one row per user of the organization, written when the
// kind pulls every user (no user_ids): GET /api/v2/users [ext].
var UserTable = pipeline.Table{
	Name: UserTableName,
	Doc: "one row per user of the organization, key id (GET /api/v2/users, active users; written when user_ids is not set): " +
		"id, name, email, username, state (active, inactive, deleted), title, department, division_id, version, self_uri",
	Schema: arrow.NewSchema([]arrow.Field{
		uID:         key("id", str),
		uName:       col("name", str),
		uEmail:      col("email", str),
		uUsername:   col("username", str),
		uState:      col("state", str),
		uTitle:      col("title", str),
		uDepartment: col("department", str),
		uDivisionID: col("division_id", str),
		uVersion:    col("version", arrow.PrimitiveTypes.Int64),
		uSelfURI:    col("self_uri", str),
	}, nil),
}

// Tables are the kind's tables, in the order of the batchers.
var Tables = []pipeline.Table{AppointmentTable, AttendeeTable, StatusTable, AnnotationTable, UserTable}

// Batcher positions.
const (
	xAppointment = iota
	xAttendee
	xStatus
	xAnnotation
	xUser
)
