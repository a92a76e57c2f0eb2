package genesys

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ccetl/ccetl/connectors/internal/jsonrow"
	"github.com/ccetl/ccetl/pipeline"
)

var errAppointmentRejected = errors.New("its appointment was rejected (see " + AppointmentTableName + ")")

// fate is what became of an appointment record.
type fate int

const (
	written fate = iota
	merged       // a copy of an appointment already written in this run
	rejected
)

// appointment stages one entity of an appointments page: the appointment
// row and its attendee rows. An appointment already written in this run
// (listed for several user chunks, or moved between windows while the run
// went on) is merged with its attendees.
func (s *source) appointment(p *page, i int, raw json.RawMessage) (string, fate) {
	b := s.batchers[xAppointment]
	r := &s.rec
	var id string
	if r.Open(b.B, raw) {
		id = r.Key(aID, "id")
		r.Str(aName, "name")
		r.Str(aDescription, "description")
		r.TS(aDateStart, "dateStart", false)
		r.Int(aLengthInMinutes, "lengthInMinutes")
		r.Str(aStatus, "status")
		r.Ref(aFacilitatorID, "facilitator")
		r.Ref(aCreatedByID, "createdBy")
		r.TS(aDateCreated, "dateCreated", false)
		r.Ref(aModifiedByID, "modifiedBy")
		r.TS(aDateModified, "dateModified", false)
		r.TS(aDateCompleted, "dateCompleted", false)
		r.Bool(aIsOverdue, "isOverdue")
		r.Str(aLocation, "location")
		r.Bool(aShareInsightsData, "shareInsightsData")
		r.JSON(aConversations, "conversations", '[')
		r.JSON(aDocuments, "documents", '[')
		r.JSON(aExternalLinks, "externalLinks", '[')
		r.JSON(aWfmSchedule, "wfmSchedule", '{')
		r.Str(aSelfURI, "selfUri")
	}
	var attendees []json.RawMessage
	if v, ok := r.Value("attendees"); ok && r.Bad == nil {
		if v[0] != '[' || json.Unmarshal(v, &attendees) != nil {
			r.Fail("attendees", fmt.Errorf("not a JSON array (got %s)", jsonrow.Type(v)))
		}
	}
	if r.Bad == nil {
		b.B.SetList(aAttendeeIDs, refIDs(attendees))
		if v, ok := r.Value("conversations"); ok && v[0] == '[' {
			var convs []json.RawMessage
			if json.Unmarshal(v, &convs) == nil {
				b.B.SetList(aConversationIDs, refIDs(convs))
			}
		}
	}
	switch {
	case r.Bad != nil:
		b.Reject(reject(p, i, r.Bad, raw))
		s.rejectAttendees(p, i, raw)
		return id, rejected
	case s.seen[id]:
		b.Merge()
		s.attendees(p, i, id, attendees, merged)
		return id, merged
	}
	b.Commit(len(raw))
	s.seen[id] = true
	s.attendees(p, i, id, attendees, written)
	return id, written
}

// refIDs lists the ids of the references ({id, selfUri}) of an array, in
// order, once each; malformed elements are left out (an attendee's are
// rejected in the attendee table).
func refIDs(items []json.RawMessage) []string {
	out := []string{}
	for _, raw := range items {
		var ref struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &ref) == nil && ref.ID != "" && !slices.Contains(out, ref.ID) {
			out = append(out, ref.ID)
		}
	}
	return out
}

// attendees stages the attendee links of appointment id (entity i of p):
// written with a written appointment (a user listed twice is merged),
// merged with a merged one.
func (s *source) attendees(p *page, i int, id string, items []json.RawMessage, f fate) {
	b := s.batchers[xAttendee]
	var users []string
	for j, raw := range items {
		where := fmt.Sprintf("attendees[%d]", j)
		if f == merged {
			b.Merge()
			continue
		}
		var ref struct {
			ID *string `json:"id"`
		}
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &ref) != nil {
			b.Reject(reject(p, i, &jsonrow.FieldErr{Field: where, Err: jsonrow.ErrNotObject}, raw))
			continue
		}
		if ref.ID == nil || *ref.ID == "" {
			b.Reject(reject(p, i, &jsonrow.FieldErr{Field: where + ".id", Err: jsonrow.ErrMissing}, raw))
			continue
		}
		if slices.Contains(users, *ref.ID) {
			b.Merge()
			continue
		}
		users = append(users, *ref.ID)
		b.B.SetString(atAppointmentID, id)
		b.B.SetString(atUserID, *ref.ID)
		b.Commit(len(raw))
	}
}

// status stages one entity of a statuses page of appointment id. A
// repeated (date_created, status) of the same appointment is merged.
func (s *source) status(p *page, i int, id string, raw json.RawMessage, seen map[string]bool) {
	b := s.batchers[xStatus]
	r := &s.rec
	var k string
	if r.Open(b.B, raw) {
		b.B.SetString(sAppointmentID, id)
		r.TS(sDateCreated, "dateCreated", true)
		st := r.Key(sStatus, "status")
		r.Ref(sCreatedByID, "createdBy")
		dc, _ := r.Text("dateCreated")
		k = dc + "\x00" + st
	}
	switch {
	case r.Bad != nil:
		b.Reject(reject(p, i, r.Bad, raw))
	case seen[k]:
		b.Merge()
	default:
		seen[k] = true
		b.Commit(len(raw))
	}
}

// annotation stages one entity of an annotations page of appointment id.
// An annotation repeated in the list (pages shifting while read) is merged.
func (s *source) annotation(p *page, i int, id string, raw json.RawMessage, seen map[string]bool) {
	b := s.batchers[xAnnotation]
	r := &s.rec
	var k string
	if r.Open(b.B, raw) {
		k = r.Key(nID, "id")
		b.B.SetString(nAppointmentID, id)
		r.Ref(nCreatedByID, "createdBy")
		r.TS(nDateCreated, "dateCreated", false)
		r.Ref(nModifiedByID, "modifiedBy")
		r.TS(nDateModified, "dateModified", false)
		r.Str(nText, "text")
		r.Bool(nIsDeleted, "isDeleted")
		r.Str(nAccessType, "accessType")
		r.Str(nSelfURI, "selfUri")
	}
	switch {
	case r.Bad != nil:
		b.Reject(reject(p, i, r.Bad, raw))
	case seen[k]:
		b.Merge()
	default:
		seen[k] = true
		b.Commit(len(raw))
	}
}

// rejectAttendees rejects the attendee links of a rejected appointment.
func (s *source) rejectAttendees(p *page, i int, raw json.RawMessage) {
	var obj struct {
		Attendees []json.RawMessage `json:"attendees"`
	}
	if json.Unmarshal(raw, &obj) != nil {
		return // not an object, or attendees is not an array: nothing to count
	}
	for j, item := range obj.Attendees {
		s.batchers[xAttendee].Reject(reject(p, i, &jsonrow.FieldErr{Field: fmt.Sprintf("attendees[%d]", j), Err: errAppointmentRejected}, item))
	}
}

func reject(p *page, i int, fe *jsonrow.FieldErr, raw []byte) pipeline.Reject {
	return pipeline.Reject{RowError: pipeline.RowError{Source: p.source, Record: int64(i), Column: fe.Field, Err: fe.Err}, Raw: string(raw)}
}
