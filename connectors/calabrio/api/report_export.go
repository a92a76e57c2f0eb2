package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Export API paths.
const (
	exportPathFmt  = "/api/rest/dataexplorer/report/%s/export"
	requestPathFmt = "/api/rest/dataexplorer/report/export/request/%s"
)

// The schema names and action the reference says to copy verbatim. The
// action is spelled EXPORT_CSV, EXPORT CSV and Export_CSV (doc error 9);
// the first is the one that is a plausible enum constant.
const (
	schemaExport = "com.stytch.rest.api.v4.data.report.action.ExportActionData"
	schemaSpec   = "com.stytch.rest.api.v4.data.report.ReportSpecData"
	schemaParams = "com.stytch.rest.api.v4.data.parameters.EncodedParameterValuesData"
	actionExport = "EXPORT_CSV"
)

// Export statuses as the reference names them, plus Completed for a
// request whose CSV came.
const (
	StatusQueued      = "Queued"
	StatusProcessing  = "Processing"
	StatusFailed      = "Failed"
	StatusCanceled    = "Canceled"
	StatusExpired     = "Expired"
	StatusBlacklisted = "Blacklisted"
	StatusCompleted   = "Completed"
)

var knownStatuses = []string{StatusQueued, StatusProcessing, StatusFailed, StatusCanceled, StatusExpired, StatusBlacklisted}

// ErrBlacklisted is returned when Calabrio answers an export with
// Blacklisted: "The number of calls has exceeded the limit, and this call
// will not be returned". The run stops; lower rate_limit before retrying.
var ErrBlacklisted = errors.New("export request Blacklisted by Calabrio: the number of calls has exceeded the limit and this call will not be returned; lower rate_limit and run again later")

type pageSpec struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

type exportBody struct {
	SchemaName string `json:"schemaName"`
	Action     string `json:"action"`
	State      struct {
		SchemaName string `json:"schemaName"`
		QName      string `json:"qname"`
	} `json:"state"`
	ParamValues struct {
		SchemaName         string `json:"schemaName"`
		EncodedParamValues string `json:"encodedParamValues"`
		QNameContent       string `json:"qnameContent"`
	} `json:"paramValues"`
	PageSpecification []pageSpec `json:"pageSpecification"`
}

// exportRequestBody is the POST body for a page of rows from offset.
func exportRequestBody(o reportOptions, params string, offset int) ([]byte, error) {
	var b exportBody
	b.SchemaName, b.Action = schemaExport, actionExport
	b.State.SchemaName, b.State.QName = schemaSpec, o.QName
	b.ParamValues.SchemaName, b.ParamValues.EncodedParamValues, b.ParamValues.QNameContent = schemaParams, params, o.QName
	b.PageSpecification = []pageSpec{{Offset: offset, Limit: o.PageRows}, {Offset: 0, Limit: o.ColumnLimit}}
	return json.Marshal(b)
}

// csvPage is one page of report rows.
type csvPage struct {
	body      []byte
	totalRows int    // from Content-Extent; -1 when not given
	source    string // the request that delivered it, for rejects
	job       *jobRec
}

// jobRec is one asynchronous export request, a row of cal_report_export_job.
type jobRec struct {
	ids         []string
	history     []string
	final       string
	page        int
	offset      int
	submission  int
	submittedAt time.Time
	finishedAt  time.Time
	polls       int
	wait        time.Duration
	rows        int64 // -1 unless Completed
	w           window
}

func (j *jobRec) status(s string) {
	if n := len(j.history); n == 0 || j.history[n-1] != s {
		j.history = append(j.history, s)
	}
}

// exporter runs the export protocol for one report.
type exporter struct {
	k    *conn
	o    reportOptions
	jobs []*jobRec // finished requests not yet written

	posts, syncAnswers, asyncRequests, resubmits, polls int
}

// page fetches rows [offset, offset+page_rows) of window w: POST; a CSV
// answer is the page, a JSON answer names a request that is polled until
// its CSV comes. Failed, Canceled and Expired requests are submitted
// again, at most max_resubmits times; Blacklisted stops the run.
func (e *exporter) page(ctx context.Context, w window, pageNo, offset int) (csvPage, error) {
	path := fmt.Sprintf(exportPathFmt, url.PathEscape(e.o.ReportID))
	body, err := exportRequestBody(e.o, e.o.params(w), offset)
	if err != nil {
		return csvPage{}, err
	}
	src := fmt.Sprintf("POST %s page %d", path, pageNo)
	for submission := 1; ; submission++ {
		e.posts++
		resp, err := e.k.do(ctx, http.MethodPost, path, nil, body, "application/json", "text/csv, application/json")
		if err != nil {
			return csvPage{}, fmt.Errorf("export page %d: %w", pageNo, err)
		}
		if !isJSON(resp.Header, resp.Body) {
			e.syncAnswers++
			return csvPage{body: resp.Body, totalRows: contentExtent(resp.Header), source: src}, nil
		}
		e.asyncRequests++
		job := &jobRec{page: pageNo, offset: offset, submission: submission, submittedAt: time.Now(), rows: -1, w: w}
		p, err := e.poll(ctx, job, resp.Body, src)
		job.finishedAt = time.Now()
		if err != nil {
			return csvPage{}, err
		}
		if job.final == StatusCompleted {
			p.job = job
			return p, nil
		}
		e.jobs = append(e.jobs, job)
		if submission > e.o.MaxResubmits {
			return csvPage{}, fmt.Errorf("%s: export request %s ended %s %d times (max_resubmits %d)",
				src, job.ids[0], job.final, submission, e.o.MaxResubmits)
		}
		e.resubmits++
	}
}

// poll follows an asynchronous request from its first answer until its CSV
// comes (final Completed) or it ends Failed, Canceled or Expired.
func (e *exporter) poll(ctx context.Context, job *jobRec, first []byte, src string) (csvPage, error) {
	st, err := parseStatus(first)
	if err != nil {
		return csvPage{}, fmt.Errorf("%s: %w", src, err)
	}
	if st.id == "" && st.status != StatusBlacklisted {
		return csvPage{}, fmt.Errorf("%s: the JSON answer has no request ID", src)
	}
	if st.id != "" {
		job.ids = append(job.ids, st.id)
	}
	job.status(st.status)
	deadline := time.Now().Add(e.o.PollTimeout)
	wait := e.o.PollInterval
	for {
		switch st.status {
		case StatusBlacklisted:
			return csvPage{}, fmt.Errorf("%s: request %s: %w", src, strings.Join(job.ids, ","), ErrBlacklisted)
		case StatusFailed, StatusCanceled, StatusExpired:
			job.final = st.status
			return csvPage{}, nil
		}
		if time.Now().After(deadline) {
			return csvPage{}, fmt.Errorf("%s: export request %s still %s after poll_timeout %v", src, job.ids[0], st.status, e.o.PollTimeout)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return csvPage{}, err
		}
		job.wait += wait
		wait = min(2*wait, e.o.PollMax)
		cur := job.ids[len(job.ids)-1]
		path := fmt.Sprintf(requestPathFmt, url.PathEscape(cur))
		job.polls++
		e.polls++
		resp, err := e.k.do(ctx, http.MethodGet, path, nil, nil, "", "text/csv, application/json")
		if err != nil {
			return csvPage{}, fmt.Errorf("poll export request: %w", err)
		}
		if !isJSON(resp.Header, resp.Body) {
			job.final = StatusCompleted
			job.status(StatusCompleted)
			return csvPage{body: resp.Body, totalRows: contentExtent(resp.Header), source: "GET " + path + " (" + src + ")"}, nil
		}
		if st, err = parseStatus(resp.Body); err != nil {
			return csvPage{}, fmt.Errorf("GET %s: %w", path, err)
		}
		if st.id != "" && st.id != cur { // "A request ID is contained in the response to a GET"
			job.ids = append(job.ids, st.id)
		}
		job.status(st.status)
	}
}

type statusAnswer struct{ id, status string }

// parseStatus reads an asynchronous answer. Its key names are never shown
// (doc error 12): requestId, requestID, request_id or id for the ID and
// status or state for the status are accepted, in any case.
func parseStatus(body []byte) (statusAnswer, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return statusAnswer{}, errors.New("the export answer is neither CSV nor a JSON object")
	}
	var a statusAnswer
	for k, v := range m {
		switch strings.ToLower(k) {
		case "requestid", "request_id", "id":
			if a.id == "" || strings.ToLower(k) != "id" {
				a.id = scalarText(v)
			}
		case "status", "state":
			a.status = scalarText(v)
		}
	}
	for _, s := range knownStatuses {
		if strings.EqualFold(a.status, s) {
			a.status = s
			return a, nil
		}
	}
	if a.status == "" {
		return a, errors.New("the JSON export answer has no status")
	}
	return a, fmt.Errorf("unknown export status %q (known: %s)", cut(a.status, 40), strings.Join(knownStatuses, ", "))
}

// scalarText renders a JSON string or number as text ("" otherwise).
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// isJSON tells a JSON status answer from CSV data: by Content-Type, and
// by the first byte when the type says neither.
func isJSON(h http.Header, body []byte) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case strings.Contains(ct, "json"):
		return true
	case strings.Contains(ct, "csv"):
		return false
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{'
}

var digitsRE = regexp.MustCompile(`\d+`)

// contentExtent reads the total rows of a Content-Extent header ("the
// total number of rows available and the total number of columns
// available"; its form is not shown, doc error 13: the first number is
// taken as the rows). -1 when absent.
func contentExtent(h http.Header) int {
	v := h.Get("Content-Extent")
	if v == "" {
		return -1
	}
	m := digitsRE.FindString(v)
	n, err := strconv.Atoi(m)
	if err != nil {
		return -1
	}
	return n
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
