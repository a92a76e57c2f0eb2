package whit

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// TableName is the table WHIT files load into.
const TableName = "cal_service_interval_history"

// Column positions in the table schema.
const (
	cServiceNumber = iota
	cServiceName
	cDate
	cPeriod
	cIntervalStart
	cReceived
	cHandled
	cAbandoned
	cTransferred
	cAvgTalk
	cAvgACW
	cASA
	cContactsInQueue
	cQtyOfAgents
	cServiceLevel
	cOccupancy
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

// Table is the typed schema.
var Table = pipeline.Table{
	Name: TableName,
	Doc:  "one row per service queue, date and period (GIS/WHIT service interval files)",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "service_number", Type: arrow.PrimitiveTypes.Int64},
		{Name: "service_name", Type: arrow.BinaryTypes.String},
		{Name: "date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "period", Type: arrow.BinaryTypes.String},
		{Name: "interval_start", Type: tsUTC},
		{Name: "received_calls", Type: arrow.PrimitiveTypes.Int64},
		{Name: "handled_calls", Type: arrow.PrimitiveTypes.Int64},
		{Name: "abandoned_calls", Type: arrow.PrimitiveTypes.Int64},
		{Name: "transferred_calls", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "avg_talk_time_s", Type: arrow.PrimitiveTypes.Float64},
		{Name: "avg_acw_time_s", Type: arrow.PrimitiveTypes.Float64},
		{Name: "asa_s", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "contacts_in_queue", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "qty_of_agents", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "service_level", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "occupancy_ratio", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil),
	PartitionBy: "date",
}

// Header columns, in the order of the documented field table. Their index
// in this slice is used by the row function.
const (
	hAbandoned = iota
	hASA
	hAvgACW
	hAvgTalk
	hContactsInQueue
	hDate
	hHandled
	hOccupancy
	hPeriod
	hQtyOfAgents
	hReceived
	hServiceLevel
	hServiceName
	hServiceNumber
	hTransferred
)

var columns = []tabular.Column{
	hAbandoned:       {Name: "abandonedCalls"},
	hASA:             {Name: "ASA"},
	hAvgACW:          {Name: "avgACWTime", Required: true},
	hAvgTalk:         {Name: "avgTalkTime", Required: true},
	hContactsInQueue: {Name: "contactsInQueue"},
	hDate:            {Name: "date", Required: true},
	hHandled:         {Name: "handledCalls", Required: true},
	hOccupancy:       {Name: "occupancyRatio"},
	hPeriod:          {Name: "period", Required: true},
	hQtyOfAgents:     {Name: "qtyOfAgents"},
	hReceived:        {Name: "receivedCalls", Required: true},
	hServiceLevel:    {Name: "serviceLevel"},
	hServiceName:     {Name: "serviceName", Required: true},
	hServiceNumber:   {Name: "serviceNumber", Required: true},
	hTransferred:     {Name: "transferredCalls"},
}
