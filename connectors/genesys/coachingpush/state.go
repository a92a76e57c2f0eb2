package coachingpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
)

// Paths of the coaching API (SPEC 3.1).
const (
	appointmentsPath = "/api/v2/coaching/appointments"
	appointmentPath  = "/api/v2/coaching/appointments/%s"
	annotationsPath  = "/api/v2/coaching/appointments/%s/annotations"
)

// wireTime is how dateStart is sent and compared: ISO-8601 UTC with
// milliseconds, as Genesys writes its date-times.
const wireTime = "2006-01-02T15:04:05.000Z"

// appointment is an appointment the target holds, in wire terms.
type appointment struct {
	id    string
	wire  map[string]string
	notes []note // nil until read
	read  bool   // notes were read
}

// note is an annotation the target holds.
type note struct {
	id, text, accessType string
}

// state is what Plan knows of the target: appointments by id (those
// listed for the input's attendees and dates, and those fetched by id).
type state struct {
	byID   map[string]*appointment
	absent map[string]bool // ids fetched and not found
}

// apiAppointment is the part of a CoachingAppointmentResponse the target
// compares.
type apiAppointment struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	DateStart       string  `json:"dateStart"`
	LengthInMinutes *int64  `json:"lengthInMinutes"`
	Facilitator     *apiRef `json:"facilitator"`
	Attendees       []apiRef
	Conversations   []apiRef
}

type apiRef struct {
	ID string `json:"id"`
}

// wireOf turns an appointment response into wire cells, the form a plan
// compares and sends.
func wireOf(raw json.RawMessage) (*appointment, error) {
	var a apiAppointment
	if err := json.Unmarshal(raw, &a); err != nil || a.ID == "" {
		return nil, errors.New("an appointment is not an object with an id")
	}
	w := map[string]string{"name": a.Name, "description": a.Description}
	if a.DateStart != "" {
		t, err := time.Parse(time.RFC3339Nano, a.DateStart)
		if err != nil {
			return nil, fmt.Errorf("appointment %s: dateStart is not an ISO-8601 date-time", a.ID)
		}
		w["dateStart"] = t.UTC().Format(wireTime)
	}
	if a.LengthInMinutes != nil {
		w["lengthInMinutes"] = strconv.FormatInt(*a.LengthInMinutes, 10)
	}
	if a.Facilitator != nil {
		w["facilitatorId"] = a.Facilitator.ID
	}
	w["attendeeIds"] = joinIDs(refIDs(a.Attendees))
	w["conversationIds"] = joinIDs(refIDs(a.Conversations))
	for k, v := range w {
		if v == "" {
			delete(w, k)
		}
	}
	return &appointment{id: a.ID, wire: w}, nil
}

func refIDs(rs []apiRef) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// joinIDs is a list of ids in wire form: sorted, unique, comma-separated
// (the order of attendees means nothing).
func joinIDs(ids []string) string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ",")
}

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// naturalKey identifies an appointment by what it is: name, dateStart and
// attendees.
func naturalKey(w map[string]string) string {
	return w["name"] + "\x00" + w["dateStart"] + "\x00" + w["attendeeIds"]
}

// list reads the appointments of users whose dateStart lies in
// [from, to), every page, users_per_request users a request.
func (t *target) list(ctx context.Context, st *state, users []string, from, to time.Time) error {
	interval := from.UTC().Format(time.RFC3339) + "/" + to.UTC().Format(time.RFC3339)
	for len(users) > 0 {
		n := min(len(users), t.o.usersPerRequest)
		chunk := users[:n]
		users = users[n:]
		q := url.Values{"userIds": chunk, "interval": {interval}}
		err := t.conn.Each(ctx, appointmentsPath, q, func(ents []json.RawMessage) error {
			for _, raw := range ents {
				a, err := wireOf(raw)
				if err != nil {
					return fmt.Errorf("GET %s: %w", appointmentsPath, err)
				}
				if st.byID[a.id] == nil {
					st.byID[a.id] = a
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read the target's appointments: %w", err)
		}
	}
	return nil
}

// fetch returns the appointment of an id, reading it when the list did
// not show it; nil when the target has none.
func (t *target) fetch(ctx context.Context, st *state, id string) (*appointment, error) {
	if id == "" || st.absent[id] {
		return nil, nil
	}
	if a := st.byID[id]; a != nil {
		return a, nil
	}
	req, err := t.conn.Request(ctx, http.MethodGet, fmt.Sprintf(appointmentPath, url.PathEscape(id)), nil, nil)
	if err != nil {
		return nil, err
	}
	resp, err := t.conn.Client.Do(req)
	if se, ok := errors.AsType[*httpx.StatusError](err); ok && se.StatusCode == http.StatusNotFound {
		st.absent[id] = true
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read appointment %s: %w", id, err)
	}
	a, err := wireOf(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", appointmentsPath+"/{id}", err)
	}
	st.byID[a.id] = a
	return a, nil
}

// notes reads an appointment's annotations once (deleted ones aside).
func (t *target) notes(ctx context.Context, a *appointment) ([]note, error) {
	if a.read {
		return a.notes, nil
	}
	path := fmt.Sprintf(annotationsPath, url.PathEscape(a.id))
	err := t.conn.Each(ctx, path, nil, func(ents []json.RawMessage) error {
		for _, raw := range ents {
			var n struct {
				ID         string `json:"id"`
				Text       string `json:"text"`
				AccessType string `json:"accessType"`
				IsDeleted  bool   `json:"isDeleted"`
			}
			if err := json.Unmarshal(raw, &n); err != nil {
				return fmt.Errorf("GET %s: an annotation is not the documented object", path)
			}
			if !n.IsDeleted {
				a.notes = append(a.notes, note{id: n.ID, text: n.Text, accessType: n.AccessType})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the annotations of appointment %s: %w", a.id, err)
	}
	a.read = true
	return a.notes, nil
}

// fingerprints are Plan.State: the appointments and annotations read.
func (st *state) fingerprints() map[string]string {
	appts := map[string]push.Current{}
	notes := map[string]push.Current{}
	for id, a := range st.byID {
		appts[id] = push.Current{ID: id, Wire: a.wire}
		for _, n := range a.notes {
			notes[id+"/"+n.id] = push.Current{ID: n.id, Wire: map[string]string{"text": n.text, "accessType": n.accessType}}
		}
	}
	return map[string]string{Appointments: push.Fingerprint(appts), Annotations: push.Fingerprint(notes)}
}

// idOf reads the id of a created object.
func idOf(body []byte) (string, error) {
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return "", errors.New("the answer has no id of what was created")
	}
	return v.ID, nil
}
