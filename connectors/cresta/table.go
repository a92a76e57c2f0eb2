package cresta

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// TableName is the table of coaching plan snapshots (SPEC 9).
const TableName = "cresta_coaching_plan"

var (
	tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	str   = arrow.BinaryTypes.String
)

func col(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// Columns of cresta_coaching_plan.
const (
	cName = iota
	cSnapshotAt
	cCustomerID
	cProfileID
	cCoachingPlanID
	cDisplayName
	cStartTime
	cEndTime
	cFocusBehaviors
	cFocusCriteria
	cComment
	cManagerCommentSubmitTime
	cAgentUserName
	cCreatorUserName
	cIsActive
	cCreateTime
	cUpdateTime
	cUsecaseName
	cCoachingSessions
)

// Table is one row per coaching plan per run: a snapshot, keyed by the
// resource name and the run's snapshot time.
var Table = pipeline.Table{
	Name: TableName,
	Doc:  "one row per coaching plan per run, key name + snapshot_at (GET /v1/{name=customers/*/profiles/*/coachingPlans/*})",
	Schema: arrow.NewSchema([]arrow.Field{
		cName:                     {Name: "name", Type: str},
		cSnapshotAt:               {Name: "snapshot_at", Type: tsUTC},
		cCustomerID:               {Name: "customer_id", Type: str},
		cProfileID:                {Name: "profile_id", Type: str},
		cCoachingPlanID:           {Name: "coaching_plan_id", Type: str},
		cDisplayName:              col("display_name", str),
		cStartTime:                col("start_time", tsUTC),
		cEndTime:                  col("end_time", tsUTC),
		cFocusBehaviors:           col("focus_behaviors_json", str),
		cFocusCriteria:            col("focus_criteria_json", str),
		cComment:                  col("comment", str),
		cManagerCommentSubmitTime: col("manager_comment_submit_time", tsUTC),
		cAgentUserName:            col("agent_user_name", str),
		cCreatorUserName:          col("creator_user_name", str),
		cIsActive:                 col("is_active", arrow.FixedWidthTypes.Boolean),
		cCreateTime:               col("create_time", tsUTC),
		cUpdateTime:               col("update_time", tsUTC),
		cUsecaseName:              col("usecase_name", str),
		cCoachingSessions:         col("coaching_sessions_json", str),
	}, nil),
	PartitionBy: "snapshot_at",
}
