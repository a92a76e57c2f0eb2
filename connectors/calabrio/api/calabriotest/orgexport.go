package calabriotest

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// orgExport is GET /api/rest/fileexport/<type> over the model, in the
// export layout: English headers, unpadded M/D/YYYY, TRUE/FALSE.
func (e *Emulator) orgExport(r *http.Request) reply {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	d := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("1/2/2006")
	}
	switch typ := strings.TrimPrefix(r.URL.Path, fileExport); typ {
	case "groups":
		w.Write([]string{"Group ID", "Name", "Activated Date", "Deactivated Date"})
		for _, g := range e.org.Groups {
			w.Write([]string{strconv.Itoa(g.ID), g.Name, d(g.Activated), d(g.Deactivated)})
		}
	case "teams":
		w.Write([]string{"Team ID", "Name", "Activated Date", "Deactivated Date", "Parent Group ID", "Productivity Compilation"})
		for _, g := range e.org.Teams {
			w.Write([]string{strconv.Itoa(g.ID), g.Name, d(g.Activated), d(g.Deactivated), g.Parent,
				strings.ToUpper(strconv.FormatBool(g.Productivity))})
		}
	case "persons":
		w.Write(personExportHeader)
		for _, p := range e.org.Persons {
			row := []string{strconv.Itoa(p.ID)}
			for _, k := range personExportKeys[1:] {
				v := p.Fields[k]
				if t, err := time.Parse(importDate, v); err == nil && strings.Contains(strings.ToLower(k), "activated") {
					v = d(t)
				}
				if k == "enableScheduling" && v != "" {
					v = strings.ToUpper(v)
				}
				row = append(row, v)
			}
			w.Write(row)
		}
	default:
		return errorReply(http.StatusBadRequest, "Unknown import type")
	}
	w.Flush()
	return reply{status: http.StatusOK, ctype: "text/csv;charset=UTF-8", body: b.Bytes()}
}

// The persons export shows these columns (the shape of PersonsExport).
var (
	personExportHeader = []string{"Person ID", "Email", "First Name", "Last Name", "Time Zone", "AD Login", "Member Group",
		"Activated Date", "Deactivated Date", "Locale", "Roles", "Enable Scheduling", "ACD ID", "ACD Server ID"}
	personExportKeys = []string{"personId", "email", "firstName", "lastName", "timeZone", "adLogin", "memberGroup",
		"activated", "deactivated", "locale", "roles", "enableScheduling", "acdId", "acdServerId"}
)
