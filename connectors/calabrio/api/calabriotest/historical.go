package calabriotest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The WHIT upload (POST /api/upload/historicalData?acdServerId=&timeZone=)
// and the GIS polling upload (POST
// /api/rest/scheduling/agentStateHistorical/polling?acdServerId=), over one
// store of service intervals. The reference documents the columns and the
// parameters, not the answers: a valid upload is answered 200
// {"status":"SUCCESS","responseText":"The file was successfully imported"},
// an invalid one 400 naming the line, and nothing of it is imported. An
// interval is keyed by ACD server, service number, date and period: a
// second upload of it replaces it (the reference is silent; an import of
// the same period again is taken to be a correction), and Imports counts
// how often each was sent.
const (
	historicalPath = "/api/upload/historicalData"
	gisPath        = "/api/rest/scheduling/agentStateHistorical/polling"
)

// Interval is one imported service interval: its cells by column.
type Interval struct {
	ACDServerID, TimeZone string
	Cells                 map[string]string
	Imports               int
}

var intervalRequired = []string{"serviceName", "serviceNumber", "date", "period", "receivedCalls", "handledCalls",
	"avgTalkTime", "avgACWTime"}

var intervalColumns = append(slices.Clone(intervalRequired), "abandonedCalls", "transferredCalls", "ASA",
	"contactsInQueue", "qtyOfAgents", "serviceLevel", "occupancyRatio")

var periodRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Intervals returns a copy of the imported intervals by key
// (acdServerId|serviceNumber|date|period, date as YYYY-MM-DD).
func (e *Emulator) Intervals() map[string]Interval {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]Interval, len(e.intervals))
	for k, v := range e.intervals {
		v.Cells = maps.Clone(v.Cells)
		out[k] = v
	}
	return out
}

func (e *Emulator) uploadHistorical(r *http.Request) reply {
	q := r.URL.Query()
	acd := q.Get("acdServerId")
	if acd == "" {
		return errorReply(http.StatusBadRequest, "acdServerId is required")
	}
	tz := "TENANT"
	if r.URL.Path == historicalPath {
		switch v := q.Get("timeZone"); v {
		case "", "TENANT":
		case "UTC":
			tz = v
		default:
			return errorReply(http.StatusBadRequest, `timeZone must be "UTC" or "TENANT"`)
		}
	}
	data, _, err := onlyFilePart(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) == 0 {
		return errorReply(http.StatusBadRequest, "Invalid CSV")
	}
	head := rows[0]
	for _, need := range intervalRequired {
		if !slices.Contains(head, need) {
			return errorReply(http.StatusBadRequest, "Column "+need+" is required")
		}
	}
	for _, h := range head {
		if !slices.Contains(intervalColumns, h) {
			return errorReply(http.StatusBadRequest, "Unknown column "+h)
		}
	}
	next := map[string]Interval{}
	for i, row := range rows[1:] {
		line := i + 2
		cells := map[string]string{}
		for j, h := range head {
			if row[j] != "" {
				cells[h] = row[j]
			}
		}
		day, err := intervalDate(cells["date"])
		if err != nil {
			return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: %v", line, err))
		}
		cells["date"] = day
		if !periodRE.MatchString(cells["period"]) {
			return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: period must be HH:MM", line))
		}
		for _, k := range intervalColumns[4:] {
			v, ok := cells[k]
			if !ok {
				if slices.Contains(intervalRequired, k) {
					return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: %s is required", line, k))
				}
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || ((k == "serviceLevel" || k == "occupancyRatio") && f > 100) {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: %s is not a valid number", line, k))
			}
		}
		if _, err := strconv.Atoi(cells["serviceNumber"]); err != nil {
			return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: serviceNumber is not a number", line))
		}
		key := acd + "|" + cells["serviceNumber"] + "|" + day + "|" + cells["period"]
		next[key] = Interval{ACDServerID: acd, TimeZone: tz, Cells: cells}
	}
	for k, v := range next {
		v.Imports = e.intervals[k].Imports + 1
		e.intervals[k] = v
	}
	return jsonReply(http.StatusOK, map[string]string{"status": "SUCCESS", "responseText": "The file was successfully imported"})
}

// intervalDate reads the date forms the reference lists for the API; the
// slash forms with the year last are ambiguous, so the emulator takes
// them as MM/DD/YYYY (the US reading) and ccetl never sends them.
func intervalDate(v string) (string, error) {
	for _, l := range []string{"2006-01-02", "2006/01/02", "01/02/2006"} {
		if t, err := time.Parse(l, v); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("date %q is not YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY or DD/MM/YYYY", v)
}

// isHistorical routes the two interval uploads.
func isHistorical(path string) bool {
	return path == historicalPath || path == gisPath || strings.TrimSuffix(path, "/") == historicalPath
}
