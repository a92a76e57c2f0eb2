package api

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults and bounds of the report options.
const (
	MaxPageRows            = 10000 // "a maximum of 10,000 records in each export request"
	DefaultColumnLimit     = 100   // the examples' column page
	DefaultMaxResubmits    = 3
	DefaultPollMaxInterval = 60 * time.Second
	DefaultPollTimeout     = 30 * time.Minute
	DefaultReportWindow    = 1
)

// Placeholders of the params option, replaced per window by its bounds.
const (
	phStartMs = "{start_ms}"
	phEndMs   = "{end_ms}"
	phStartS  = "{start_s}"
	phEndS    = "{end_s}"
)

var reportOptionDocs = withConnDocs(
	pipeline.Option{Name: "report_id", Doc: "the {reportId} of POST /api/rest/dataexplorer/report/{reportId}/export (required)"},
	pipeline.Option{Name: "qname", Doc: "the report's qualified name (everything after view?id= in the Data Explorer URL), " +
		"sent as state.qname and paramValues.qnameContent; default: report_id"},
	pipeline.Option{Name: "report_name", Doc: "names the table cal_report_<report_name> (required; lower-case letters, digits and _)"},
	pipeline.Option{Name: "params", Default: "[]", Doc: "encodedParamValues sent as is, e.g. [{'name':'pTeam','value':{...}}]; " +
		"with the placeholders {start_ms} and {end_ms} (or {start_s}, {end_s} for epoch seconds) for a Date Range " +
		"parameter the run pulls day windows and resumes from its cursor (capture the real string in Data Explorer: " +
		"the reference's pDate example is missing, doc error 14)"},
	pipeline.Option{Name: "columns", Doc: "report columns and their types, Header=type pairs separated by semicolons, e.g. " +
		"`Agent Name=string;Calls=int64;Handle Time=float64;Date=date`; types string, int64, float64, bool, date, timestamp; " +
		"a header alone is a string; columns are named by their header in snake_case; CSV columns not listed go to other_columns"},
	pipeline.Option{Name: "date_order", Default: "mdy", Doc: "how slash dates in date and timestamp columns are read: mdy or dmy"},
	pipeline.Option{Name: "partition_by", Doc: "a date or timestamp column (its snake_case name) whose day partitions the table; " +
		"default window_start for a windowed report, else none"},
	pipeline.Option{Name: "start", Doc: "first day of a windowed report, YYYY-MM-DD (UTC); without it the run resumes from the cursor less repull_days"},
	pipeline.Option{Name: "end", Doc: "day after the last day of a windowed report (exclusive); default: the day after the run's date"},
	pipeline.Option{Name: "window_days", Default: strconv.Itoa(DefaultReportWindow), Doc: "days per export window of a windowed report (a fixed grid from 1970-01-01; keep it fixed for a lake)"},
	pipeline.Option{Name: "repull_days", Default: strconv.Itoa(DefaultRepullDays), Doc: "days before the saved cursor pulled again on a resumed run"},
	pipeline.Option{Name: "page_rows", Default: strconv.Itoa(MaxPageRows), Doc: "rows per export request (pageSpecification[0].limit), at most 10000"},
	pipeline.Option{Name: "column_limit", Default: strconv.Itoa(DefaultColumnLimit), Doc: "columns per export request (pageSpecification[1].limit)"},
	pipeline.Option{Name: "poll_interval", Default: defaultPollInterval.String(), Doc: "first wait before polling an asynchronous export (doubles up to poll_max_interval)"},
	pipeline.Option{Name: "poll_max_interval", Default: DefaultPollMaxInterval.String(), Doc: "longest wait between polls"},
	pipeline.Option{Name: "poll_timeout", Default: DefaultPollTimeout.String(), Doc: "how long one export request may stay Queued or Processing before the run fails"},
	pipeline.Option{Name: "max_resubmits", Default: strconv.Itoa(DefaultMaxResubmits), Doc: "times an export that ends Failed, Canceled or Expired is submitted again before the run fails"},
)

// colType is a report column's type.
type colType uint8

const (
	tString colType = iota
	tInt64
	tFloat64
	tBool
	tDate
	tTimestamp
)

var colTypes = map[string]colType{"string": tString, "int64": tInt64, "float64": tFloat64, "bool": tBool,
	"date": tDate, "timestamp": tTimestamp}

// reportColumn is one configured report column.
type reportColumn struct {
	header string // as in the CSV header
	name   string // snake_case column name
	typ    colType
}

// reportOptions are the parsed options of calabrio-report.
type reportOptions struct {
	conn         connOptions
	ReportID     string
	QName        string
	Name         string
	Params       string
	Windowed     bool
	Columns      []reportColumn
	DateOrder    parse.DateOrder
	PartitionBy  string
	Start, End   time.Time
	WindowDays   int
	RepullDays   int
	PageRows     int
	ColumnLimit  int
	PollInterval time.Duration
	PollMax      time.Duration
	PollTimeout  time.Duration
	MaxResubmits int
}

var reportNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func parseReportOptions(m map[string]string) (reportOptions, error) {
	var p apiopt.Problems
	o := reportOptions{
		conn:     parseConn(m, &p),
		ReportID: strings.TrimSpace(m["report_id"]),
		Name:     strings.TrimSpace(m["report_name"]),
		Params:   def(m["params"], "[]"),
	}
	o.QName = def(m["qname"], o.ReportID)
	if o.ReportID == "" {
		p.Add("report_id is required")
	} else if strings.ContainsAny(o.ReportID, "/?#") {
		p.Add("report_id must not contain /, ? or #")
	}
	if !reportNameRE.MatchString(o.Name) {
		p.Add("report_name is required: lower-case letters, digits and _, starting with a letter (the table is cal_report_<report_name>)")
	}
	hasStart := strings.Contains(o.Params, phStartMs) || strings.Contains(o.Params, phStartS)
	hasEnd := strings.Contains(o.Params, phEndMs) || strings.Contains(o.Params, phEndS)
	o.Windowed = hasStart || hasEnd
	if hasStart != hasEnd {
		p.Add("params: a Date Range needs both a start ({start_ms} or {start_s}) and an end ({end_ms} or {end_s}) placeholder, so that windows do not overlap")
	}
	var err error
	if o.Columns, err = parseColumns(m["columns"]); err != nil {
		p.Append(err)
	}
	if o.DateOrder, err = parse.ParseDateOrder(m["date_order"]); err != nil {
		p.Append(err)
	}
	o.Start, o.End = apiopt.Day(m, "start", &p), apiopt.Day(m, "end", &p)
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		p.Add("end must be after start (end is exclusive)")
	}
	if !o.Windowed && (!o.Start.IsZero() || !o.End.IsZero()) {
		p.Add("start and end need a Date Range placeholder ({start_ms}, {end_ms}) in params")
	}
	o.WindowDays = apiopt.Int(m, "window_days", DefaultReportWindow, 1, 366, &p)
	o.RepullDays = apiopt.Int(m, "repull_days", DefaultRepullDays, 0, maxDays, &p)
	o.PageRows = apiopt.Int(m, "page_rows", MaxPageRows, 1, MaxPageRows, &p)
	o.ColumnLimit = apiopt.Int(m, "column_limit", DefaultColumnLimit, 1, 10000, &p)
	o.PollInterval = apiopt.Duration(m, "poll_interval", defaultPollInterval, time.Millisecond, time.Hour, &p)
	o.PollMax = apiopt.Duration(m, "poll_max_interval", DefaultPollMaxInterval, time.Millisecond, time.Hour, &p)
	o.PollTimeout = apiopt.Duration(m, "poll_timeout", DefaultPollTimeout, time.Millisecond, 48*time.Hour, &p)
	o.MaxResubmits = apiopt.Int(m, "max_resubmits", DefaultMaxResubmits, 0, 100, &p)
	o.PartitionBy = strings.TrimSpace(m["partition_by"])
	if err := p.Err(ReportKindName); err != nil {
		return reportOptions{}, err
	}
	if _, err := reportTable(o); err != nil {
		return reportOptions{}, fmt.Errorf("kind %s: %w", ReportKindName, err)
	}
	return o, nil
}

// parseColumns reads Header=type pairs separated by semicolons.
func parseColumns(s string) ([]reportColumn, error) {
	var cols []reportColumn
	seen := map[string]string{}
	for i, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		header, typ := strings.TrimSpace(part), "string"
		if j := strings.LastIndex(part, "="); j >= 0 {
			header, typ = strings.TrimSpace(part[:j]), strings.ToLower(strings.TrimSpace(part[j+1:]))
		}
		t, ok := colTypes[typ]
		switch {
		case header == "":
			return nil, fmt.Errorf("columns entry %d: empty header", i+1)
		case !ok:
			return nil, fmt.Errorf("columns entry %d (%s): unknown type %q (want string, int64, float64, bool, date or timestamp)", i+1, header, typ)
		}
		name := snake(header)
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("columns %q and %q both become column %s", prev, header, name)
		}
		seen[name] = header
		cols = append(cols, reportColumn{header: header, name: name, typ: t})
	}
	return cols, nil
}

// params is the encodedParamValues of window w (w is ignored when the
// report is not windowed).
func (o reportOptions) params(w window) string {
	if !o.Windowed {
		return o.Params
	}
	return strings.NewReplacer(
		phStartMs, strconv.FormatInt(w.Start.UnixMilli(), 10),
		phEndMs, strconv.FormatInt(w.End.UnixMilli(), 10),
		phStartS, strconv.FormatInt(w.Start.Unix(), 10),
		phEndS, strconv.FormatInt(w.End.Unix(), 10),
	).Replace(o.Params)
}
