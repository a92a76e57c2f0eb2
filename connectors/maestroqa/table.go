package maestroqa

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names (SPEC.md section 9).
const (
	SessionTableName     = "mqa_coaching_session"
	ActivityLogTableName = "mqa_coaching_activity_log"
	PointTableName       = "mqa_coaching_point"
	PointFormTableName   = "mqa_coaching_point_form"
	TodoTableName        = "mqa_todo"
	TodoFormTableName    = "mqa_todo_form"
)

var (
	tsUTC   = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	str     = arrow.BinaryTypes.String
	strList = arrow.ListOf(arrow.BinaryTypes.String)
	boolean = arrow.FixedWidthTypes.Boolean
)

func key(name string) arrow.Field { return arrow.Field{Name: name, Type: str} }
func opt(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// Column positions of mqa_coaching_session.
const (
	sID = iota
	sCoachingFormName
	sCoachingTemplateID
	sCoachingTemplateName
	sMeetingFormat
	sFormCreatorID
	sFormCreatorName
	sCoachName
	sCoachID
	sAgentID
	sAgentName
	sCreatedAt
	sUpdatedAt
	sSharedWithAgent
	sMeetingDate
	sAgentConfirmed
	sCoachConfirmed
	sCoachNotes
	sAgentNotes
	sIsDeleted
	sCoachingPointIDs
	sTodoIDs
)

// SessionTable holds one row per coaching session, partitioned by created_at.
var SessionTable = pipeline.Table{
	Name: SessionTableName,
	Doc:  "one row per MaestroQA coaching session (key id = _id); soft deletes kept (is_deleted)",
	Schema: arrow.NewSchema([]arrow.Field{
		key("id"),
		opt("coaching_form_name", str),
		opt("coaching_template_id", str),
		opt("coaching_template_name", str),
		opt("meeting_format", str),
		opt("form_creator_id", str),
		opt("form_creator_name", str),
		opt("coach_name", str),
		opt("coach_id", str),
		opt("agent_id", str),
		opt("agent_name", str),
		opt("created_at", tsUTC),
		opt("updated_at", tsUTC),
		opt("shared_with_agent", boolean),
		opt("meeting_date", tsUTC),
		opt("agent_confirmed", boolean),
		opt("coach_confirmed", boolean),
		opt("coach_notes", str),
		opt("agent_notes", str),
		opt("is_deleted", boolean),
		opt("coaching_point_ids", strList),
		opt("todo_ids", strList),
	}, nil),
	PartitionBy: "created_at",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Column positions of mqa_coaching_activity_log.
const (
	aSessionID = iota
	aOrdinal
	aUserID
	aUserEmail
	aActionType
	aDescriptions
	aTimestamp
	aIPAddress
)

// ActivityLogTable holds one row per activityLog entry of a session,
// partitioned by timestamp.
var ActivityLogTable = pipeline.Table{
	Name: ActivityLogTableName,
	Doc:  "one row per coaching-session activityLog entry (key session_id, ordinal = 0-based position in the log)",
	Schema: arrow.NewSchema([]arrow.Field{
		key("session_id"),
		{Name: "ordinal", Type: arrow.PrimitiveTypes.Int64},
		opt("user_id", str),
		opt("user_email", str),
		opt("action_type", str),
		opt("descriptions", strList),
		opt("timestamp", tsUTC),
		opt("ip_address", str),
	}, nil),
	PartitionBy: "timestamp",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Column positions of mqa_coaching_point.
const (
	pID = iota
	pType
	pClassification
	pTicketID
	pSubject
	pRubricName
	pCriteriaName
	pKPIName
	pScore
	pScoreValue
	pAgentNotes
	pCoachNotes
	pCreatedAt
	pUpdatedAt
	pIsDeleted
)

// PointTable holds one row per coaching point, de-duplicated by _id,
// partitioned by created_at.
var PointTable = pipeline.Table{
	Name: PointTableName,
	Doc:  "one row per coaching point (key id = _id, de-duplicated across sessions and files); score raw plus score_value",
	Schema: arrow.NewSchema([]arrow.Field{
		key("id"),
		opt("type", str),
		opt("classification", str),
		opt("ticket_id", str),
		opt("subject", str),
		opt("rubric_name", str),
		opt("criteria_name", str),
		opt("kpi_name", str),
		opt("score", str),
		opt("score_value", arrow.PrimitiveTypes.Float64),
		opt("agent_notes", str),
		opt("coach_notes", str),
		opt("created_at", tsUTC),
		opt("updated_at", tsUTC),
		opt("is_deleted", boolean),
	}, nil),
	PartitionBy: "created_at",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// Column positions of the two link tables.
const (
	lParentID = iota
	lFormID
)

// PointFormTable links coaching points to coaching forms (coachingFormIds).
// Unpartitioned: see doc.go.
var PointFormTable = pipeline.Table{
	Name: PointFormTableName,
	Doc:  "one row per coaching point x coaching form link (coachingPoints[].coachingFormIds)",
	Schema: arrow.NewSchema([]arrow.Field{
		key("coaching_point_id"),
		key("coaching_form_id"),
	}, nil),
}

// Column positions of mqa_todo.
const (
	tID = iota
	tActionString
	tCompletedAt
	tCreatedAt
	tCreatorID
	tCreatorName
	tDescription
	tLink
	tStatus
	tTitle
	tType
	tUpdatedAt
	tIsDeleted
)

// TodoTable holds one row per to-do, de-duplicated by _id, partitioned by
// created_at.
var TodoTable = pipeline.Table{
	Name: TodoTableName,
	Doc:  "one row per coaching to-do (key id = _id, de-duplicated across sessions and files); soft deletes kept",
	Schema: arrow.NewSchema([]arrow.Field{
		key("id"),
		opt("action_string", str),
		opt("completed_at", tsUTC),
		opt("created_at", tsUTC),
		opt("creator_id", str),
		opt("creator_name", str),
		opt("description", str),
		opt("link", str),
		opt("status", str),
		opt("title", str),
		opt("type", str),
		opt("updated_at", tsUTC),
		opt("is_deleted", boolean),
	}, nil),
	PartitionBy: "created_at",
	Grain:       "month", // a few rows a day: a window writes a file a month, not one a day
}

// TodoFormTable links to-dos to coaching forms (coachingFormIds).
// Unpartitioned: see doc.go.
var TodoFormTable = pipeline.Table{
	Name: TodoFormTableName,
	Doc:  "one row per to-do x coaching form link (todos[].coachingFormIds)",
	Schema: arrow.NewSchema([]arrow.Field{
		key("todo_id"),
		key("coaching_form_id"),
	}, nil),
}

// Tables lists every table of a coaching export, in the order the Decoder
// indexes its batchers.
var Tables = []pipeline.Table{SessionTable, ActivityLogTable, PointTable, PointFormTable, TodoTable, TodoFormTable}

// Batcher indexes, in the order of Tables.
const (
	xSession = iota
	xActivity
	xPoint
	xPointForm
	xTodo
	xTodoForm
	numTables
)
