package historicalimport

import (
	"context"
	"fmt"
	"strconv"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name.
const KindName = "calabrio-historical-import"

// Paths of the two uploads.
const (
	WHITPath = "/api/upload/historicalData"
	GISPath  = "/api/rest/scheduling/agentStateHistorical/polling"
)

// DefaultBatchRows bounds an upload when batch is rows.
const DefaultBatchRows = 10000

type field = push.WireField

var fields = []field{
	{Field: pipeline.Field{Name: "service_number", Type: pipeline.TypeInt, Required: true, Doc: "serviceNumber, the ACD id of the service queue"}, Wire: "serviceNumber"},
	{Field: pipeline.Field{Name: "service_name", Type: pipeline.TypeString, Required: true, Doc: "serviceName"}, Wire: "serviceName"},
	{Field: pipeline.Field{Name: "date", Type: pipeline.TypeDate, Required: true, Doc: "date, sent as YYYY-MM-DD"}, Wire: "date"},
	{Field: pipeline.Field{Name: "period", Type: pipeline.TypeString, Required: true, Doc: "period, HH:MM (24-hour)"}, Wire: "period"},
	{Field: pipeline.Field{Name: "received_calls", Type: pipeline.TypeInt, Required: true, Doc: "receivedCalls"}, Wire: "receivedCalls"},
	{Field: pipeline.Field{Name: "handled_calls", Type: pipeline.TypeInt, Required: true, Doc: "handledCalls"}, Wire: "handledCalls"},
	{Field: pipeline.Field{Name: "abandoned_calls", Type: pipeline.TypeInt, Doc: "abandonedCalls (0 when absent)"}, Wire: "abandonedCalls"},
	{Field: pipeline.Field{Name: "transferred_calls", Type: pipeline.TypeInt, Doc: "transferredCalls"}, Wire: "transferredCalls"},
	{Field: pipeline.Field{Name: "avg_talk_time_s", Type: pipeline.TypeFloat, Required: true, Doc: "avgTalkTime, seconds"}, Wire: "avgTalkTime"},
	{Field: pipeline.Field{Name: "avg_acw_time_s", Type: pipeline.TypeFloat, Required: true, Doc: "avgACWTime, seconds"}, Wire: "avgACWTime"},
	{Field: pipeline.Field{Name: "asa_s", Type: pipeline.TypeFloat, Doc: "ASA, seconds"}, Wire: "ASA"},
	{Field: pipeline.Field{Name: "contacts_in_queue", Type: pipeline.TypeInt, Doc: "contactsInQueue"}, Wire: "contactsInQueue"},
	{Field: pipeline.Field{Name: "qty_of_agents", Type: pipeline.TypeInt, Doc: "qtyOfAgents"}, Wire: "qtyOfAgents"},
	{Field: pipeline.Field{Name: "service_level", Type: pipeline.TypeInt, Doc: "serviceLevel, 0 to 100"}, Wire: "serviceLevel"},
	{Field: pipeline.Field{Name: "occupancy_ratio", Type: pipeline.TypeInt, Doc: "occupancyRatio, 0 to 100"}, Wire: "occupancyRatio"},
}

// Entity is the one entity the target writes.
func Entity() pipeline.Entity {
	return push.EntityOf("intervals", "cal_service_interval_history", "service intervals, keyed by service number, date and period",
		[]string{"service_number", "date", "period"}, fields)
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		PlansRecords: true,
		Name:         KindName,
		Doc: "Calabrio WFM historical service intervals: the WHIT upload (/api/upload/historicalData) or the GIS " +
			"polling upload; ISO dates only, one upload per day or per batch_rows rows",
		Entities: []pipeline.Entity{Entity()},
		Options: calapi.ConnOptionDocs(
			pipeline.Option{Name: "acd_server_id", Doc: "acdServerId, the ID of the ACD server the intervals belong to (required)"},
			pipeline.Option{Name: "endpoint", Default: "whit", Doc: "whit (/api/upload/historicalData) or gis (the polling upload, Service file only)"},
			pipeline.Option{Name: "time_zone", Default: "TENANT", Doc: "timeZone of the WHIT upload: UTC or TENANT, the zone the dates and periods are in"},
			pipeline.Option{Name: "batch", Default: "day", Doc: "how uploads are cut: day (one upload per date) or rows (batch_rows rows each)"},
			pipeline.Option{Name: "batch_rows", Default: strconv.Itoa(DefaultBatchRows), Doc: "rows per upload at most (both batch forms)"},
		),
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

type options struct {
	acd, endpoint, timeZone string
	byDay                   bool
	rows                    int
}

func parseOptions(m map[string]string) (options, error) {
	if err := calapi.CheckConn(KindName, m); err != nil {
		return options{}, err
	}
	var p apiopt.Problems
	o := options{acd: m["acd_server_id"], endpoint: apiopt.String(m, "endpoint", "whit"),
		timeZone: apiopt.String(m, "time_zone", "TENANT")}
	if o.acd == "" {
		p.Add("acd_server_id is required")
	}
	if o.endpoint != "whit" && o.endpoint != "gis" {
		p.Add("endpoint must be whit or gis")
	}
	if o.timeZone != "UTC" && o.timeZone != "TENANT" {
		p.Add("time_zone must be UTC or TENANT")
	}
	switch apiopt.String(m, "batch", "day") {
	case "day":
		o.byDay = true
	case "rows":
	default:
		p.Add("batch must be day or rows")
	}
	o.rows = apiopt.Int(m, "batch_rows", DefaultBatchRows, 1, 1_000_000, &p)
	return o, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	conn, err := calapi.Connect(KindName, cfg.Options, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KindName, err)
	}
	return &target{conn: conn, o: o}, nil
}
