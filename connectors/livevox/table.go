package livevox

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names (SPEC.md section 9).
const (
	AgentTableName         = "lv_agent"
	SkillTableName         = "lv_agent_skill"
	SkillAssignTableName   = "lv_agent_skill_assignment"
	ServiceAssignTableName = "lv_agent_service_assignment"
	CallCenterTableName    = "lv_agent_call_center"
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

// snapshotAt is the first column of every table: the run's clock. Every
// table is a snapshot and is partitioned by it.
var snapshotAt = arrow.Field{Name: "snapshot_at", Type: tsUTC}

// Columns of lv_agent.
const (
	aSnapshot = iota
	aClientID
	aID
	aLoginID
	aFirstName
	aLastName
	aPhone
	aWrapUpTime
	aHomeAgent
	aActive
	aLocked
	aLastLogin
	aLastLoginIP
	aPasswordLastModified
	aLastModified
)

// AgentTable holds one row per agent per snapshot: the List Agents entry
// completed by Read Agent (Read's value wins where both have a key).
var AgentTable = pipeline.Table{
	Name: AgentTableName,
	Doc:  "one row per LiveVox agent per snapshot (List Agents + Read Agent); key client_id, id; natural key login_id",
	Schema: arrow.NewSchema([]arrow.Field{
		snapshotAt,
		{Name: "client_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "login_id", Type: arrow.BinaryTypes.String},
		{Name: "first_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "last_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "wrap_up_time", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "home_agent", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "active", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "locked", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "last_login", Type: tsUTC, Nullable: true},
		{Name: "last_login_ip", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "password_last_modified", Type: tsUTC, Nullable: true},
		{Name: "last_modified", Type: tsUTC, Nullable: true},
	}, nil),
	PartitionBy: "snapshot_at",
}

// Columns of lv_agent_skill.
const (
	sSnapshot = iota
	sClientID
	sID
	sName
)

// SkillTable holds one row per agent skill per snapshot.
var SkillTable = pipeline.Table{
	Name: SkillTableName,
	Doc:  "one row per LiveVox agent skill per snapshot (List Agent Skills); key id",
	Schema: arrow.NewSchema([]arrow.Field{
		snapshotAt,
		{Name: "client_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil),
	PartitionBy: "snapshot_at",
}

// Columns of the two assignment tables.
const (
	xSnapshot = iota
	xAgentID
	xOtherID
	xProficiency
)

// SkillAssignTable holds one row per agent and skill per snapshot.
var SkillAssignTable = pipeline.Table{
	Name: SkillAssignTableName,
	Doc:  "one row per agent x agent skill per snapshot (Read Agent assignedAgentSkill); key agent_id, skill_id; proficiency 1-5",
	Schema: arrow.NewSchema([]arrow.Field{
		snapshotAt,
		{Name: "agent_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "skill_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "proficiency", Type: arrow.PrimitiveTypes.Int64},
	}, nil),
	PartitionBy: "snapshot_at",
}

// ServiceAssignTable holds one row per agent and service per snapshot.
var ServiceAssignTable = pipeline.Table{
	Name: ServiceAssignTableName,
	Doc:  "one row per agent x service per snapshot (Read Agent assignedService); key agent_id, service_id",
	Schema: arrow.NewSchema([]arrow.Field{
		snapshotAt,
		{Name: "agent_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "service_id", Type: arrow.PrimitiveTypes.Int64},
	}, nil),
	PartitionBy: "snapshot_at",
}

// CallCenterTable holds one row per agent and call center per snapshot,
// with the call_centers option.
var CallCenterTable = pipeline.Table{
	Name: CallCenterTableName,
	Doc:  "one row per agent x call center per snapshot (Get Agent Related Objects callCenter; option call_centers); key agent_id, call_center_id",
	Schema: arrow.NewSchema([]arrow.Field{
		snapshotAt,
		{Name: "agent_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "call_center_id", Type: arrow.PrimitiveTypes.Int64},
	}, nil),
	PartitionBy: "snapshot_at",
}

// Tables are the kind's tables, in the order their batches index them.
var Tables = []pipeline.Table{AgentTable, SkillTable, SkillAssignTable, ServiceAssignTable, CallCenterTable}

// Batcher indexes, in the order of Tables.
const (
	tAgent = iota
	tSkill
	tSkillAssign
	tServiceAssign
	tCallCenter
)
