package genesystest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	listStatuses = []string{"Scheduled", "InProgress", "Completed", "InvalidSchedule"}
	sortOrders   = []string{"Asc", "Desc"}
)

// listAppointments is GET /api/v2/coaching/appointments (SPEC 3.1, 3.2):
// userIds (required, repeated), interval (optional; appointments whose
// dateStart lies in [start, end)), statuses, facilitatorIds, sortOrder
// (by dateStart), pageNumber, pageSize.
func (e *Emulator) listAppointments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	users := q["userIds"]
	if len(users) == 0 {
		writeError(w, http.StatusBadRequest, "bad.request", "The request could not be understood by the server due to malformed syntax: userIds is required.")
		return
	}
	var from, to time.Time
	if iv := q.Get("interval"); iv != "" {
		var ok bool
		if from, to, ok = parseInterval(iv); !ok {
			writeError(w, http.StatusBadRequest, "bad.request", "Invalid interval. Intervals are represented as an ISO-8601 string.")
			return
		}
	}
	for _, st := range q["statuses"] {
		if !slices.Contains(listStatuses, st) {
			writeError(w, http.StatusBadRequest, "bad.request", "Invalid value for statuses.")
			return
		}
	}
	order := q.Get("sortOrder")
	if order != "" && !slices.Contains(sortOrders, order) {
		writeError(w, http.StatusBadRequest, "bad.request", "Invalid value for sortOrder.")
		return
	}
	pn, ps, ok := e.paging(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	var items []json.RawMessage
	for _, a := range e.store.sorted() {
		if !matches(a, users, q["statuses"], q["facilitatorIds"], from, to) {
			continue
		}
		items = append(items, a.raw)
	}
	e.counts.Lists++
	e.mu.Unlock()
	if order == "Desc" {
		slices.Reverse(items)
	}
	e.writePage(w, r, items, pn, ps)
}

func matches(a *appt, users, statuses, facilitators []string, from, to time.Time) bool {
	if !slices.ContainsFunc(users, func(u string) bool { return a.users[u] }) {
		return false
	}
	if len(statuses) > 0 && !slices.Contains(statuses, a.status) {
		return false
	}
	if len(facilitators) > 0 && !slices.Contains(facilitators, a.facilitator) {
		return false
	}
	if !from.IsZero() && (a.start.Before(from) || !a.start.Before(to)) {
		return false // "End date is not inclusive" [ext]
	}
	return true
}

// getAppointment is GET /api/v2/coaching/appointments/{appointmentId}.
func (e *Emulator) getAppointment(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	a := e.store.byID[r.PathValue("id")]
	e.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "not.found", "The requested resource was not found.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(a.raw)
}

// listStatuses is GET .../appointments/{appointmentId}/statuses.
func (e *Emulator) listStatuses(w http.ResponseWriter, r *http.Request) {
	e.child(w, r, func(a *appt) []json.RawMessage { return a.statuses }, &e.counts.Statuses)
}

// listAnnotations is GET .../appointments/{appointmentId}/annotations.
func (e *Emulator) listAnnotations(w http.ResponseWriter, r *http.Request) {
	e.child(w, r, func(a *appt) []json.RawMessage { return a.annotations }, &e.counts.Annotations)
}

func (e *Emulator) child(w http.ResponseWriter, r *http.Request, items func(*appt) []json.RawMessage, served *int) {
	pn, ps, ok := e.paging(w, r.URL.Query())
	if !ok {
		return
	}
	e.mu.Lock()
	a := e.store.byID[r.PathValue("id")]
	var list []json.RawMessage
	if a != nil {
		list = items(a)
		*served++
	}
	e.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "not.found", "The requested resource was not found.")
		return
	}
	e.writePage(w, r, list, pn, ps)
}

// paging reads pageNumber (default 1) and pageSize (default 25, at most
// MaxPageSize), answering 400 for bad values.
func (e *Emulator) paging(w http.ResponseWriter, q url.Values) (int, int, bool) {
	num := func(name string, def, hi int) (int, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > hi {
			writeError(w, http.StatusBadRequest, "bad.request", "Value for "+name+" is not valid.")
			return 0, false
		}
		return n, true
	}
	pn, ok := num("pageNumber", 1, 1<<30)
	if !ok {
		return 0, 0, false
	}
	ps, ok := num("pageSize", 25, e.cfg.MaxPageSize)
	return pn, ps, ok
}

// writePage writes page pn of items in the list envelope: entities,
// pageSize, pageNumber, total, pageCount and the page URIs (SPEC 3.3).
func (e *Emulator) writePage(w http.ResponseWriter, r *http.Request, items []json.RawMessage, pn, ps int) {
	total := len(items)
	count := (total + ps - 1) / ps
	lo := min((pn-1)*ps, total)
	hi := min(lo+ps, total)
	uri := func(n int) string {
		q := r.URL.Query()
		q.Set("pageNumber", strconv.Itoa(n))
		q.Set("pageSize", strconv.Itoa(ps))
		return r.URL.Path + "?" + q.Encode()
	}
	env := map[string]any{
		"entities": append([]json.RawMessage{}, items[lo:hi]...), "pageSize": ps, "pageNumber": pn,
		"total": total, "firstUri": uri(1), "selfUri": uri(pn), "lastUri": uri(max(count, 1)),
	}
	if !e.cfg.OmitPageCount {
		env["pageCount"] = count
	}
	if pn < count {
		env["nextUri"] = uri(pn + 1)
	}
	if pn > 1 {
		env["previousUri"] = uri(pn - 1)
	}
	writeJSON(w, http.StatusOK, env)
}

// parseInterval reads an ISO-8601 interval "start/end"; a time without a
// zone designator (as in the reference's example) is UTC.
func parseInterval(s string) (time.Time, time.Time, bool) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	from, ok1 := parseTime(a)
	to, ok2 := parseTime(b)
	return from, to, ok1 && ok2 && to.After(from)
}

func parseTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
