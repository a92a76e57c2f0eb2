package genesystest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// The writes the emulator serves (SPEC 3.1):
//
//	POST  /api/v2/coaching/appointments                              CreateCoachingAppointmentRequest → 201 CoachingAppointmentResponse
//	PATCH /api/v2/coaching/appointments/{appointmentId}              UpdateCoachingAppointmentRequest → 200 CoachingAppointmentResponse
//	POST  /api/v2/coaching/appointments/{appointmentId}/annotations  CoachingAnnotationCreateRequest → 201 CoachingAnnotation
//
// and the organization's users (GET /api/v2/users, paged [ext]). The
// reference gives no success statuses; the emulator answers 201 to a
// create and 200 to an update, as the Genesys OpenAPI does [ext]. A
// request missing a required field, or with a value of the wrong type or
// outside its enum, is a 400 bad.request naming the field; an unknown
// appointment is a 404 not.found; an attendee or facilitator id that is
// not a user of the organization (when the emulator has users) is a 400
// whose code is bad.request and whose messageParams name the id.

// User is one user of the organization, as GET /api/v2/users lists it.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Username string `json:"username,omitempty"`
	State    string `json:"state"` // active, inactive or deleted
	Title    string `json:"title,omitempty"`
	Dept     string `json:"department,omitempty"`
	Version  int    `json:"version"`
}

// AddUsers adds users to the organization; a user without a state is
// active.
func (e *Emulator) AddUsers(users ...User) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range users {
		if u.State == "" {
			u.State = "active"
		}
		if u.Version == 0 {
			u.Version = 1
		}
		e.users = append(e.users, u)
	}
}

// listUsers is GET /api/v2/users: the organization's users ordered by
// id, paged (pageNumber, pageSize); state filters them (active by
// default, or inactive, deleted, any) [ext].
func (e *Emulator) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "active"
	}
	if !slices.Contains([]string{"active", "inactive", "deleted", "any"}, state) {
		writeError(w, http.StatusBadRequest, "bad.request", "Invalid value for state.")
		return
	}
	pn, ps, ok := e.paging(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	users := slices.Clone(e.users)
	e.counts.Users++
	e.mu.Unlock()
	sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
	var items []json.RawMessage
	for _, u := range users {
		if state != "any" && u.State != state {
			continue
		}
		m := map[string]any{"id": u.ID, "name": u.Name, "state": u.State, "version": u.Version, "selfUri": "/api/v2/users/" + u.ID,
			"division": map[string]any{"id": "home-division", "name": "Home", "selfUri": "/api/v2/authorization/divisions/home-division"}}
		for k, v := range map[string]string{"email": u.Email, "username": u.Username, "title": u.Title, "department": u.Dept} {
			if v != "" {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		items = append(items, b)
	}
	e.writePage(w, r, items, pn, ps)
}

// badField answers 400 naming a field, as Genesys' ErrorBody does with
// messageWithParams and messageParams.
func badField(w http.ResponseWriter, field, problem string) {
	body := errorBody(http.StatusBadRequest, "bad.request", fmt.Sprintf("The request could not be understood by the server due to malformed syntax: %s %s", field, problem))
	body["messageWithParams"] = "The request could not be understood by the server due to malformed syntax: {field} " + problem
	body["messageParams"] = map[string]string{"field": field}
	body["contextId"] = w.Header().Get(correlationHeader)
	writeJSON(w, http.StatusBadRequest, body)
}

// apptRequest is the body of a create or an update; pointers tell absent
// fields from zero ones.
type apptRequest struct {
	Name            *string   `json:"name"`
	Description     *string   `json:"description"`
	DateStart       *string   `json:"dateStart"`
	LengthInMinutes *int      `json:"lengthInMinutes"`
	AttendeeIDs     *[]string `json:"attendeeIds"`
	FacilitatorID   *string   `json:"facilitatorId"`
	ConversationIDs *[]string `json:"conversationIds"`
	Status          *string   `json:"status"`
}

// decodeBody reads a JSON object body into v, answering 400 when it is
// not one or a field has the wrong JSON type.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported.media.type", "The request body's media type is not supported.")
		return false
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		field := "body"
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			field = te.Field
		}
		badField(w, field, "is not valid")
		return false
	}
	return true
}

// checkAppt validates a create (create true: the required fields must be
// there) or an update against the model, answering 400 on the first
// problem.
func (e *Emulator) checkAppt(w http.ResponseWriter, req apptRequest, create bool) (time.Time, bool) {
	var start time.Time
	if create {
		switch {
		case req.Name == nil || *req.Name == "":
			badField(w, "name", "is required")
			return start, false
		case req.Description == nil || *req.Description == "":
			badField(w, "description", "is required")
			return start, false
		case req.DateStart == nil:
			badField(w, "dateStart", "is required")
			return start, false
		case req.LengthInMinutes == nil:
			badField(w, "lengthInMinutes", "is required")
			return start, false
		case req.AttendeeIDs == nil || len(*req.AttendeeIDs) == 0:
			badField(w, "attendeeIds", "is required")
			return start, false
		}
	}
	if req.Name != nil && *req.Name == "" {
		badField(w, "name", "must not be empty")
		return start, false
	}
	if req.DateStart != nil {
		t, err := time.Parse(time.RFC3339Nano, *req.DateStart)
		if err != nil {
			badField(w, "dateStart", "is not an ISO-8601 date-time")
			return start, false
		}
		start = t
	}
	if req.LengthInMinutes != nil && *req.LengthInMinutes <= 0 {
		badField(w, "lengthInMinutes", "must be positive")
		return start, false
	}
	if req.Status != nil && !slices.Contains([]string{"Scheduled", "InProgress", "Completed"}, *req.Status) {
		badField(w, "status", "must be one of Scheduled, InProgress, Completed")
		return start, false
	}
	var ids []string
	if req.AttendeeIDs != nil {
		ids = append(ids, *req.AttendeeIDs...)
		if len(*req.AttendeeIDs) == 0 {
			badField(w, "attendeeIds", "must not be empty")
			return start, false
		}
	}
	if req.FacilitatorID != nil {
		ids = append(ids, *req.FacilitatorID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.users) > 0 {
		for _, id := range ids {
			if !slices.ContainsFunc(e.users, func(u User) bool { return u.ID == id && u.State == "active" }) {
				body := errorBody(http.StatusBadRequest, "bad.request", "The request could not be understood by the server due to malformed syntax: unknown user "+id)
				body["messageWithParams"] = "The request could not be understood by the server due to malformed syntax: unknown user {userId}"
				body["messageParams"] = map[string]string{"userId": id}
				body["contextId"] = w.Header().Get(correlationHeader)
				writeJSON(w, http.StatusBadRequest, body)
				return start, false
			}
		}
	}
	return start, true
}

// createAppointment is POST /api/v2/coaching/appointments.
func (e *Emulator) createAppointment(w http.ResponseWriter, r *http.Request) {
	var req apptRequest
	if !decodeBody(w, r, &req) {
		return
	}
	start, ok := e.checkAppt(w, req, true)
	if !ok {
		return
	}
	by := "oauth-client"
	if req.FacilitatorID != nil {
		by = *req.FacilitatorID
	}
	id := newID()
	now := time.Now().UTC().Format(stamp)
	m := map[string]any{"id": id, "status": "Scheduled", "createdBy": ref("users", by), "dateCreated": now,
		"modifiedBy": ref("users", by), "dateModified": now, "conversations": []any{}, "documents": []any{},
		"isOverdue": false, "externalLinks": []any{}, "shareInsightsData": false, "selfUri": "/api/v2/coaching/appointments/" + id}
	apply(m, req, start)
	e.put(m, nil, nil)
	e.mu.Lock()
	e.counts.Creates++
	raw := e.store.byID[id].raw
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(raw)
}

// patchAppointment is PATCH /api/v2/coaching/appointments/{appointmentId}:
// the fields the body has replace the stored ones.
func (e *Emulator) patchAppointment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	a := e.store.byID[id]
	e.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "not.found", "The requested resource was not found.")
		return
	}
	var req apptRequest
	if !decodeBody(w, r, &req) {
		return
	}
	start, ok := e.checkAppt(w, req, false)
	if !ok {
		return
	}
	var m map[string]any
	json.Unmarshal(a.raw, &m)
	apply(m, req, start)
	if req.Status != nil {
		m["status"] = *req.Status
	}
	m["dateModified"] = time.Now().UTC().Format(stamp)
	e.put(m, a.statuses, a.annotations)
	e.mu.Lock()
	e.counts.Updates++
	raw := e.store.byID[id].raw
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

// apply sets the model fields a request carries.
func apply(m map[string]any, req apptRequest, start time.Time) {
	if req.Name != nil {
		m["name"] = *req.Name
	}
	if req.Description != nil {
		m["description"] = *req.Description
	}
	if req.DateStart != nil {
		m["dateStart"] = start.UTC().Format(stamp)
	}
	if req.LengthInMinutes != nil {
		m["lengthInMinutes"] = *req.LengthInMinutes
	}
	if req.AttendeeIDs != nil {
		var at []any
		for _, u := range *req.AttendeeIDs {
			at = append(at, ref("users", u))
		}
		m["attendees"] = at
	}
	if req.FacilitatorID != nil {
		m["facilitator"] = ref("users", *req.FacilitatorID)
	}
	if req.ConversationIDs != nil {
		cs := []any{}
		for _, c := range *req.ConversationIDs {
			cs = append(cs, ref("conversations", c))
		}
		m["conversations"] = cs
	}
}

// addAnnotation is POST .../appointments/{appointmentId}/annotations.
func (e *Emulator) addAnnotation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	a := e.store.byID[id]
	e.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "not.found", "The requested resource was not found.")
		return
	}
	var req struct {
		Text       *string `json:"text"`
		AccessType *string `json:"accessType"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case req.Text == nil || *req.Text == "":
		badField(w, "text", "is required")
		return
	case req.AccessType == nil:
		badField(w, "accessType", "is required")
		return
	case *req.AccessType != "Public" && *req.AccessType != "Private":
		badField(w, "accessType", "must be one of Public, Private")
		return
	}
	nid := newID()
	now := time.Now().UTC().Format(stamp)
	b, _ := json.Marshal(map[string]any{"id": nid, "createdBy": ref("users", "oauth-client"), "dateCreated": now,
		"modifiedBy": ref("users", "oauth-client"), "dateModified": now, "text": *req.Text, "isDeleted": false,
		"accessType": *req.AccessType, "selfUri": "/api/v2/coaching/appointments/" + id + "/annotations/" + nid})
	e.mu.Lock()
	if cur := e.store.byID[id]; cur != nil {
		cur.annotations = append(cur.annotations, b)
	}
	e.counts.AnnotationsAdded++
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

// put stores an appointment built as a map.
func (e *Emulator) put(m map[string]any, statuses, annotations []json.RawMessage) {
	b, _ := json.Marshal(m)
	if err := e.Add(b, statuses, annotations); err != nil {
		panic(err) // the maps are built here, with an id and an RFC 3339 dateStart
	}
}

const stamp = "2006-01-02T15:04:05.000Z"

func ref(kind, id string) map[string]any {
	return map[string]any{"id": id, "selfUri": "/api/v2/" + kind + "/" + id}
}

// newID returns a random UUID (version 4), as Genesys ids are.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// StoredAppointment is an appointment as the organization holds it, without
// what the server makes up (ids, dates of creation): two emulators that
// received the same pushes hold equal snapshots.
type StoredAppointment struct {
	Name, Description string
	DateStart         time.Time
	LengthInMinutes   int
	Status            string
	Facilitator       string
	Attendees         []string // sorted
	Conversations     []string // sorted
	Annotations       []StoredAnnotation
}

// StoredAnnotation is an annotation of a StoredAppointment.
type StoredAnnotation struct {
	Text, AccessType string
}

// Appointments returns a snapshot of the stored appointments, ordered by
// dateStart, name and attendees; annotations in the order added.
func (e *Emulator) Appointments() []StoredAppointment {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []StoredAppointment
	for _, a := range e.store.sorted() {
		var m struct {
			Name, Description string
			DateStart         time.Time
			LengthInMinutes   int
			Status            string
			Facilitator       struct{ ID string }
			Attendees         []struct{ ID string }
			Conversations     []struct{ ID string }
		}
		json.Unmarshal(a.raw, &m)
		s := StoredAppointment{Name: m.Name, Description: m.Description, DateStart: m.DateStart.UTC(), LengthInMinutes: m.LengthInMinutes,
			Status: m.Status, Facilitator: m.Facilitator.ID}
		for _, at := range m.Attendees {
			s.Attendees = append(s.Attendees, at.ID)
		}
		for _, c := range m.Conversations {
			s.Conversations = append(s.Conversations, c.ID)
		}
		slices.Sort(s.Attendees)
		slices.Sort(s.Conversations)
		for _, raw := range a.annotations {
			var n StoredAnnotation
			json.Unmarshal(raw, &n)
			s.Annotations = append(s.Annotations, n)
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DateStart.Equal(out[j].DateStart) {
			return out[i].DateStart.Before(out[j].DateStart)
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return strings.Join(out[i].Attendees, ",") < strings.Join(out[j].Attendees, ",")
	})
	return out
}
