package api

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names of calabrio-report.
const (
	ReportTablePrefix = "cal_report_"
	ExportJobTable    = "cal_report_export_job"
)

var (
	tsUTC   = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	utf8    = arrow.BinaryTypes.String
	i64     = arrow.PrimitiveTypes.Int64
	f64     = arrow.PrimitiveTypes.Float64
	boolean = arrow.FixedWidthTypes.Boolean
	date32  = arrow.FixedWidthTypes.Date32
	strList = arrow.ListOf(arrow.BinaryTypes.String)
	strMap  = arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)
)

// The columns every report table ends with, after the report's own.
const (
	colOther       = "other_columns"
	colQName       = "qname"
	colRowOffset   = "row_offset"
	colWindowStart = "window_start"
	colWindowEnd   = "window_end"
	colExtractTS   = "extract_ts"
	nReportMeta    = 6
)

func reportMetaFields() []arrow.Field {
	return []arrow.Field{
		{Name: colOther, Type: strMap, Nullable: true},
		{Name: colQName, Type: utf8},
		{Name: colRowOffset, Type: i64},
		{Name: colWindowStart, Type: tsUTC, Nullable: true},
		{Name: colWindowEnd, Type: tsUTC, Nullable: true},
		{Name: colExtractTS, Type: tsUTC},
	}
}

const reportDoc = "one row per row of a Data Explorer report export (POST /api/rest/dataexplorer/report/{reportId}/export, CSV). " +
	"The report's own columns come first, typed by the columns option and named by their header in snake_case; " +
	"other_columns holds the CSV columns the option does not list (header -> text, null when there are none); " +
	"qname is the report's qualified name, row_offset the row's position in its window's export (0-based, with qname " +
	"and window_start the key when the report has no business key), window_start/window_end the Date Range window " +
	"(null for a report without one), extract_ts the run's time."

// reportTable is the table of a report's rows, built from the options.
func reportTable(o reportOptions) (pipeline.Table, error) {
	fields := make([]arrow.Field, 0, len(o.Columns)+nReportMeta)
	for _, c := range o.Columns {
		fields = append(fields, arrow.Field{Name: c.name, Type: c.typ.arrow(), Nullable: true})
	}
	fields = append(fields, reportMetaFields()...)
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.Name] {
			return pipeline.Table{}, fmt.Errorf("columns: report column %s collides with a column of the table (%s are added to every report)",
				f.Name, strings.Join([]string{colOther, colQName, colRowOffset, colWindowStart, colWindowEnd, colExtractTS}, ", "))
		}
		seen[f.Name] = true
	}
	t := pipeline.Table{Name: ReportTablePrefix + o.Name, Schema: arrow.NewSchema(fields, nil), Doc: reportDoc}
	switch part := o.PartitionBy; {
	case part != "":
		idx := t.Schema.FieldIndices(part)
		if len(idx) != 1 {
			return pipeline.Table{}, fmt.Errorf("partition_by: no column %s (name a configured date or timestamp column)", part)
		}
		if id := t.Schema.Field(idx[0]).Type.ID(); id != arrow.DATE32 && id != arrow.TIMESTAMP {
			return pipeline.Table{}, fmt.Errorf("partition_by: column %s is not a date or timestamp", part)
		}
		t.PartitionBy = part
	case o.Windowed:
		t.PartitionBy = colWindowStart
	}
	return t, nil
}

// reportTemplate documents the shape of every report table for the kind's
// table list: the metadata columns; the report's own come from options.
var reportTemplate = pipeline.Table{
	Name:   ReportTablePrefix + "<report_name>",
	Schema: arrow.NewSchema(reportMetaFields(), nil),
	Doc:    reportDoc,
}

func (t colType) arrow() arrow.DataType {
	switch t {
	case tInt64:
		return i64
	case tFloat64:
		return f64
	case tBool:
		return boolean
	case tDate:
		return date32
	case tTimestamp:
		return tsUTC
	}
	return utf8
}

// Column positions of cal_report_export_job.
const (
	jRequestID = iota
	jRequestIDs
	jReportID
	jQName
	jWindowStart
	jWindowEnd
	jPage
	jRowOffset
	jSubmission
	jStatusHistory
	jFinalStatus
	jSubmittedAt
	jFinishedAt
	jPolls
	jWaitMs
	jRows
)

// ExportJob is the table of asynchronous export requests.
var ExportJob = pipeline.Table{
	Name: ExportJobTable,
	Doc: "one row per asynchronous Bulk Report Data Export request (the POST answered with a request ID instead of CSV). " +
		"request_id is the key; request_ids lists every ID the request was known by (a poll may answer with a new one); " +
		"status_history the statuses seen, in order, without repeats; final_status Completed (the CSV came), Failed, " +
		"Canceled or Expired (the export was submitted again, submission counts from 1); page and row_offset are the " +
		"pageSpecification of the request; polls and wait_ms count the GETs and the time waited between them; rows the " +
		"CSV rows returned (null unless Completed). A Blacklisted request fails the run, so no row of it is committed.",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: utf8},
		{Name: "request_ids", Type: strList},
		{Name: "report_id", Type: utf8},
		{Name: "qname", Type: utf8},
		{Name: "window_start", Type: tsUTC, Nullable: true},
		{Name: "window_end", Type: tsUTC, Nullable: true},
		{Name: "page", Type: i64},
		{Name: "row_offset", Type: i64},
		{Name: "submission", Type: i64},
		{Name: "status_history", Type: strList},
		{Name: "final_status", Type: utf8},
		{Name: "submitted_at", Type: tsUTC},
		{Name: "finished_at", Type: tsUTC},
		{Name: "polls", Type: i64},
		{Name: "wait_ms", Type: i64},
		{Name: "rows", Type: i64, Nullable: true},
	}, nil),
	PartitionBy: "submitted_at",
}

// snake makes a report header a column name: lower case, words joined by
// _, camelCase split ("Handle Time (s)" -> handle_time_s, "HandleTime" ->
// handle_time), and a leading digit prefixed with c_.
func snake(s string) string {
	var b strings.Builder
	rs := []rune(strings.TrimSpace(s))
	sep := false
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && i > 0 && b.Len() > 0 && !sep {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					sep = true
				}
			}
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(unicode.ToLower(r))
		default:
			sep = true
		}
	}
	out := b.String()
	if out == "" {
		return "column"
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "c_" + out
	}
	return out
}
