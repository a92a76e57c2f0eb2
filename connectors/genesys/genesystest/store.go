package genesystest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// appt is one stored appointment with what the list filters on.
type appt struct {
	id          string
	start       time.Time
	status      string
	facilitator string
	users       map[string]bool // attendees and facilitator
	raw         json.RawMessage
	statuses    []json.RawMessage
	annotations []json.RawMessage
}

// store keeps appointments ordered by dateStart, then id: the order the
// list is paged in, stable across pages.
type store struct {
	list  []*appt
	byID  map[string]*appt
	dirty bool
}

// Add stores an appointment (a CoachingAppointmentResponse object) with
// its status history and annotations, replacing one with the same id.
func (e *Emulator) Add(appointment json.RawMessage, statuses, annotations []json.RawMessage) error {
	var w struct {
		ID          string `json:"id"`
		DateStart   string `json:"dateStart"`
		Status      string `json:"status"`
		Facilitator *struct {
			ID string `json:"id"`
		} `json:"facilitator"`
		Attendees []json.RawMessage `json:"attendees"` // elements may be malformed
	}
	if err := json.Unmarshal(appointment, &w); err != nil {
		return fmt.Errorf("genesystest: appointment: %w", err)
	}
	if w.ID == "" {
		return errors.New("genesystest: appointment without id")
	}
	a := &appt{id: w.ID, status: w.Status, users: map[string]bool{}, raw: appointment, statuses: statuses, annotations: annotations}
	if w.DateStart != "" {
		t, err := time.Parse(time.RFC3339Nano, w.DateStart)
		if err != nil {
			return fmt.Errorf("genesystest: appointment %s: dateStart: %w", w.ID, err)
		}
		a.start = t
	}
	if w.Facilitator != nil {
		a.facilitator = w.Facilitator.ID
		a.users[w.Facilitator.ID] = true
	}
	for _, raw := range w.Attendees {
		var at struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &at) == nil && at.ID != "" {
			a.users[at.ID] = true
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.store.remove(w.ID)
	e.store.list = append(e.store.list, a)
	e.store.byID[w.ID] = a
	e.store.dirty = true
	return nil
}

// AddRaw stores a list entity verbatim, such as a malformed record for a
// reject test, listed for users with the given start. It has no status
// history or annotations of its own.
func (e *Emulator) AddRaw(entity json.RawMessage, start time.Time, users ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := &appt{id: fmt.Sprintf("raw-%d", len(e.store.list)), start: start, users: map[string]bool{}, raw: entity}
	for _, u := range users {
		a.users[u] = true
	}
	e.store.list = append(e.store.list, a)
	e.store.byID[a.id] = a
	e.store.dirty = true
}

// Delete removes an appointment: its statuses and annotations answer 404.
func (e *Emulator) Delete(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.store.remove(id)
}

func (s *store) remove(id string) {
	if s.byID[id] == nil {
		return
	}
	delete(s.byID, id)
	for i, a := range s.list {
		if a.id == id {
			s.list = append(s.list[:i], s.list[i+1:]...)
			return
		}
	}
}

func (s *store) sorted() []*appt {
	if s.dirty {
		sort.SliceStable(s.list, func(i, j int) bool {
			if !s.list[i].start.Equal(s.list[j].start) {
				return s.list[i].start.Before(s.list[j].start)
			}
			return s.list[i].id < s.list[j].id
		})
		s.dirty = false
	}
	return s.list
}

// Appointment builds a CoachingAppointmentResponse with every field of the
// model (SPEC 3.3 [ext]); the reference has no JSON example.
func Appointment(id string, start time.Time, facilitator string, attendees ...string) json.RawMessage {
	ref := func(kind, id string) map[string]any {
		return map[string]any{"id": id, "selfUri": "/api/v2/" + kind + "/" + id}
	}
	var at []any
	for _, u := range attendees {
		at = append(at, ref("users", u))
	}
	m := map[string]any{
		"id": id, "name": "Coaching " + id, "description": "Weekly review",
		"dateStart": start.UTC().Format("2006-01-02T15:04:05.000Z"), "lengthInMinutes": 30,
		"status": "Completed", "facilitator": ref("users", facilitator), "attendees": at,
		"createdBy": ref("users", facilitator), "dateCreated": start.Add(-72 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"),
		"modifiedBy": ref("users", facilitator), "dateModified": start.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"),
		"conversations": []any{ref("conversations", "conv-"+id)}, "documents": []any{},
		"isOverdue": false, "wfmSchedule": map[string]any{"id": "sched-1", "selfUri": "/api/v2/workforcemanagement/schedules/sched-1"},
		"dateCompleted": start.Add(30 * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"),
		"externalLinks": []any{"https://example.com/doc/" + id}, "location": "Room 1", "shareInsightsData": true,
		"selfUri": "/api/v2/coaching/appointments/" + id,
	}
	b, _ := json.Marshal(m)
	return b
}

// Status builds a status change (CoachingAppointmentStatusDto response).
func Status(appointmentID, status string, at time.Time, by string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"appointment": map[string]any{"id": appointmentID, "selfUri": "/api/v2/coaching/appointments/" + appointmentID},
		"createdBy":   map[string]any{"id": by, "selfUri": "/api/v2/users/" + by},
		"dateCreated": at.UTC().Format("2006-01-02T15:04:05.000Z"), "status": status,
	})
	return b
}

// Annotation builds a CoachingAnnotation.
func Annotation(id string, at time.Time, by, text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"id": id, "createdBy": map[string]any{"id": by, "selfUri": "/api/v2/users/" + by},
		"dateCreated":  at.UTC().Format("2006-01-02T15:04:05.000Z"),
		"modifiedBy":   map[string]any{"id": by, "selfUri": "/api/v2/users/" + by},
		"dateModified": at.Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"),
		"text":         text, "isDeleted": false, "accessType": "Public", "selfUri": "/api/v2/coaching/appointments/annotations/" + id,
	})
	return b
}

// Seed describes generated appointments: PerDay appointments on each of
// Days days from From, each for one of Users in turn, with Statuses status
// changes and Annotations annotations.
type Seed struct {
	Users                 []string
	From                  time.Time
	Days, PerDay          int
	Statuses, Annotations int
	Facilitator           string // default "facilitator-1"
}

// Seed stores generated appointments and returns their ids in list order.
func (e *Emulator) Seed(s Seed) []string {
	if s.Facilitator == "" {
		s.Facilitator = "facilitator-1"
	}
	var ids []string
	n := 0
	for d := range s.Days {
		for k := range s.PerDay {
			id := fmt.Sprintf("appt-%04d-%02d", d, k)
			start := s.From.Add(time.Duration(d)*24*time.Hour + 9*time.Hour + time.Duration(k)*10*time.Minute)
			var st, an []json.RawMessage
			names := []string{"Scheduled", "InProgress", "Completed"}
			for j := range s.Statuses {
				st = append(st, Status(id, names[j%len(names)], start.Add(time.Duration(j)*time.Minute), s.Facilitator))
			}
			for j := range s.Annotations {
				an = append(an, Annotation(fmt.Sprintf("%s-note-%02d", id, j), start.Add(time.Duration(j)*time.Minute), s.Facilitator, fmt.Sprint("note ", j)))
			}
			if err := e.Add(Appointment(id, start, s.Facilitator, s.Users[n%len(s.Users)]), st, an); err != nil {
				panic(err)
			}
			ids = append(ids, id)
			n++
		}
	}
	return ids
}
