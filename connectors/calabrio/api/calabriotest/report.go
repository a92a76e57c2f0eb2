package calabriotest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The documented export statuses.
const (
	Queued      = "Queued"
	Processing  = "Processing"
	Failed      = "Failed"
	Canceled    = "Canceled"
	Expired     = "Expired"
	Blacklisted = "Blacklisted"
)

// DefaultScript is the statuses of an asynchronous export whose Report
// has no script for it: queued, processing, then the CSV.
var DefaultScript = []string{Queued, Processing}

// MaxRows is the documented limit of one export request.
const MaxRows = 10000

// The fixed strings of the request body, as in the reference's example.
const (
	SchemaExport = "com.stytch.rest.api.v4.data.report.action.ExportActionData"
	SchemaSpec   = "com.stytch.rest.api.v4.data.report.ReportSpecData"
	SchemaParams = "com.stytch.rest.api.v4.data.parameters.EncodedParameterValuesData"
)

// Report is a Data Explorer report the emulator exports.
type Report struct {
	// QName, when set, must be the body's state.qname and qnameContent.
	QName  string
	Header []string
	Rows   [][]string
	// Filter makes the report honour a Date Range parameter: rows whose
	// TimeColumn (epoch ms) is outside ['start', 'end') are left out, the
	// bounds being the numbers after 'start': and 'end': in
	// encodedParamValues (the reference's pDate example is missing, doc
	// error 14, so this form is the emulator's).
	Filter     bool
	TimeColumn int
	// Async answers every POST with a request ID. Scripts[n] are the
	// statuses the n-th POST of the report goes through (the first is the
	// POST's answer, each poll moves one on, a terminal one stays); after
	// the last non-terminal status the poll answers the CSV. POSTs past the
	// scripts use DefaultScript.
	Async   bool
	Scripts [][]string
	// NewIDOnPoll makes the first poll of every request answer with a new
	// request ID ("A request ID is contained in the response to a GET").
	NewIDOnPoll bool
	// NoExtent leaves out the Content-Extent header.
	NoExtent bool
}

type exportReq struct {
	csv      []byte
	extent   string
	script   []string
	pos      int
	renamed  bool
	rename   bool
	noExtent bool
}

func terminal(s string) bool {
	return s == Failed || s == Canceled || s == Expired || s == Blacklisted
}

type exportBody struct {
	SchemaName *string `json:"schemaName"`
	Action     string  `json:"action"`
	State      struct {
		SchemaName string `json:"schemaName"`
		QName      string `json:"qname"`
	} `json:"state"`
	ParamValues struct {
		SchemaName         *string `json:"schemaName"`
		EncodedParamValues *string `json:"encodedParamValues"`
		QNameContent       string  `json:"qnameContent"`
	} `json:"paramValues"`
	PageSpecification []struct {
		Offset int `json:"offset"`
		Limit  int `json:"limit"`
	} `json:"pageSpecification"`
}

// export is POST /api/rest/dataexplorer/report/{reportId}/export.
func (e *Emulator) export(r *http.Request) reply {
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, exportPrefix), "/export")
	rep := e.o.Reports[id]
	if rep == nil {
		return errorReply(http.StatusNotFound, "Report not found")
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	e.bodies = append(e.bodies, string(raw))
	var b exportBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return errorReply(http.StatusBadRequest, "The request body is not valid JSON")
	}
	if msg := checkBody(b, rep); msg != "" {
		return errorReply(http.StatusBadRequest, msg)
	}
	csvBody, extent := rep.page(*b.ParamValues.EncodedParamValues, b.PageSpecification[0].Offset, b.PageSpecification[0].Limit,
		b.PageSpecification[1].Offset, b.PageSpecification[1].Limit)
	n := e.submits[id]
	e.submits[id]++
	script := DefaultScript
	if n < len(rep.Scripts) {
		script = rep.Scripts[n]
	}
	if !rep.Async || len(script) == 0 {
		return csvReply(csvBody, extent, rep.NoExtent)
	}
	e.nextID++
	reqID := fmt.Sprintf("%08x-cbd2-42fe-bb87-%012d", e.nextID, n)
	e.exports[reqID] = &exportReq{csv: csvBody, extent: extent, script: script, rename: rep.NewIDOnPoll, noExtent: rep.NoExtent}
	return jsonReply(http.StatusOK, map[string]string{"requestId": reqID, "status": script[0]})
}

// checkBody checks an export body against the reference's example.
func checkBody(b exportBody, rep *Report) string {
	switch {
	case b.SchemaName == nil || *b.SchemaName != SchemaExport:
		return "schemaName must be " + SchemaExport
	case b.Action != "EXPORT_CSV" && b.Action != "EXPORT CSV" && b.Action != "Export_CSV":
		return "action must be EXPORT_CSV"
	case b.State.SchemaName != SchemaSpec:
		return "state.schemaName must be " + SchemaSpec
	case b.ParamValues.SchemaName != nil && *b.ParamValues.SchemaName != SchemaParams:
		return "paramValues.schemaName must be " + SchemaParams
	case b.ParamValues.EncodedParamValues == nil:
		return "paramValues.encodedParamValues is required"
	case rep.QName != "" && (b.State.QName != rep.QName || b.ParamValues.QNameContent != rep.QName):
		return "Report not found for qname"
	case len(b.PageSpecification) != 2:
		return "pageSpecification must give rows and columns"
	case b.PageSpecification[0].Limit > MaxRows:
		return "You can export a maximum of 10,000 records in each export request."
	case b.PageSpecification[0].Offset < 0 || b.PageSpecification[0].Limit < 0 ||
		b.PageSpecification[1].Offset < 0 || b.PageSpecification[1].Limit < 0:
		return "pageSpecification offsets and limits must not be negative"
	}
	return ""
}

var (
	startRE = regexp.MustCompile(`['"]start['"]\s*:\s*(\d+)`)
	endRE   = regexp.MustCompile(`['"]end['"]\s*:\s*(\d+)`)
)

// page renders the rows and columns asked for as CSV, with the extent of
// the whole (filtered) report.
func (rep *Report) page(params string, rowOff, rowLim, colOff, colLim int) ([]byte, string) {
	rows := rep.Rows
	if rep.Filter {
		lo, hi := int64(-1), int64(1<<62)
		if m := startRE.FindStringSubmatch(params); m != nil {
			lo, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if m := endRE.FindStringSubmatch(params); m != nil {
			hi, _ = strconv.ParseInt(m[1], 10, 64)
		}
		rows = nil
		for _, row := range rep.Rows {
			t, err := strconv.ParseInt(row[rep.TimeColumn], 10, 64)
			if err == nil && t >= lo && t < hi {
				rows = append(rows, row)
			}
		}
	}
	extent := fmt.Sprintf("%d,%d", len(rows), len(rep.Header))
	cols := func(r []string) []string {
		lo, hi := min(colOff, len(r)), min(colOff+colLim, len(r))
		return r[lo:hi]
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(cols(rep.Header))
	for _, r := range rows[min(rowOff, len(rows)):min(rowOff+rowLim, len(rows))] {
		w.Write(cols(r))
	}
	w.Flush()
	return buf.Bytes(), extent
}

func csvReply(body []byte, extent string, noExtent bool) reply {
	rep := reply{status: http.StatusOK, ctype: "text/csv", body: body}
	if !noExtent {
		rep.header = http.Header{"Content-Extent": {extent}}
	}
	return rep
}

// poll is GET /api/rest/dataexplorer/report/export/request/{requestId}.
func (e *Emulator) poll(r *http.Request) reply {
	id := strings.TrimPrefix(r.URL.Path, requestPrefix)
	req := e.exports[id]
	if req == nil {
		return errorReply(http.StatusNotFound, "Request not found")
	}
	if req.rename && !req.renamed {
		req.renamed = true
		e.nextID++
		newID := fmt.Sprintf("%08x-0000-4000-8000-%012d", e.nextID, 0)
		e.exports[newID] = req
		return jsonReply(http.StatusOK, map[string]string{"requestId": newID, "status": Processing})
	}
	if cur := req.script[req.pos]; terminal(cur) {
		return jsonReply(http.StatusOK, map[string]string{"requestId": id, "status": cur})
	}
	req.pos++
	if req.pos >= len(req.script) {
		req.pos = len(req.script) - 1
		return csvReply(req.csv, req.extent, req.noExtent)
	}
	return jsonReply(http.StatusOK, map[string]string{"requestId": id, "status": req.script[req.pos]})
}
