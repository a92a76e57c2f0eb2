package maestroqatest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// session is one served session: its bytes as loaded and the two dates a
// request can filter on (zero when missing or unparsable).
type session struct {
	id          string
	raw         json.RawMessage
	createdAt   time.Time
	meetingDate time.Time
}

func (s session) at(axis string) (time.Time, bool) {
	t := s.createdAt
	if axis == "meetingDate" {
		t = s.meetingDate
	}
	return t, !t.IsZero()
}

// AddSessions loads a JSON array of coaching sessions, such as the
// package's testdata/export.json. A session whose _id is already loaded
// replaces it in place (an update between two pulls); others are added at
// the end. Each object is served byte for byte as given.
func (e *Emulator) AddSessions(body []byte) error {
	var arr []json.RawMessage
	if err := json.Unmarshal(body, &arr); err != nil {
		return wrap(err)
	}
	add := make([]session, 0, len(arr))
	for i, raw := range arr {
		var f struct {
			ID          *string `json:"_id"`
			CreatedAt   any     `json:"createdAt"`
			MeetingDate any     `json:"meetingDate"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return wrap(fmt.Errorf("element %d: %v", i, err))
		}
		s := session{raw: raw, createdAt: isoTime(f.CreatedAt), meetingDate: isoTime(f.MeetingDate)}
		if f.ID != nil {
			s.id = *f.ID
		}
		add = append(add, s)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range add {
		if i := e.index(s.id); i >= 0 {
			e.sessions[i] = s
		} else {
			e.sessions = append(e.sessions, s)
		}
	}
	return nil
}

// MustAddSessions is AddSessions that panics on a bad fixture.
func (e *Emulator) MustAddSessions(body []byte) {
	if err := e.AddSessions(body); err != nil {
		panic(err)
	}
}

func (e *Emulator) index(id string) int {
	if id == "" {
		return -1
	}
	for i, s := range e.sessions {
		if s.id == id {
			return i
		}
	}
	return -1
}

// isoTime reads an ISO-8601 time string (RFC 3339, or a date alone, UTC).
func isoTime(v any) time.Time {
	s, ok := v.(string)
	if !ok {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Generated describes synthetic sessions for tests with many windows.
type Generated struct {
	// N sessions "<Prefix>s-00000"... are created Every apart from First;
	// each meets a day after it was created.
	N     int
	First time.Time
	Every time.Duration
	// Prefix keeps ids of several generated sets apart.
	Prefix string
	// Notes is every session's coachNotes (change it to emulate an update).
	Notes string
	// Updated is every session's updatedAt (default: its createdAt).
	Updated time.Time
	// SharePrevious also lists, under session i > 0, the coaching point of
	// session i-1 (an identical copy), as a point linked to two sessions.
	SharePrevious bool
}

// Generate returns the JSON array of g's sessions, in the full documented
// shape: every session has one activity-log entry, one coaching point and
// one to-do.
func Generate(g Generated) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := range g.N {
		if i > 0 {
			b.WriteByte(',')
		}
		created := g.First.Add(time.Duration(i) * g.Every).UTC()
		updated := created
		if !g.Updated.IsZero() {
			updated = g.Updated.UTC()
		}
		id := fmt.Sprintf("%ss-%05d", g.Prefix, i)
		points := []string{point(g.Prefix, i, g.First.Add(time.Duration(i)*g.Every))}
		if g.SharePrevious && i > 0 {
			points = append(points, point(g.Prefix, i-1, g.First.Add(time.Duration(i-1)*g.Every)))
		}
		fmt.Fprintf(&b, `{"_id":%q,"coachingFormName":"Weekly 1:1","coachingTemplateId":"tpl-1","coachingTemplateName":"Standard",`+
			`"meetingFormat":"video call","formCreatorId":"u-coach","formCreatorName":"Coach","coachName":"Coach","coachId":"u-coach",`+
			`"agentId":"u-agent-%d","agentName":"Agent %d","createdAt":%q,"updatedAt":%q,"sharedWithAgent":true,"meetingDate":%q,`+
			`"agentConfirmed":false,"coachConfirmed":true,"coachNotes":%q,"agentNotes":"","isDeleted":false,`+
			`"activityLog":[{"userId":"u-coach","userEmail":"coach@example.com","actionType":"created","descriptions":["created"],"timestamp":%q,"ipAddress":"203.0.113.1"}],`+
			`"coachingPoints":[%s],`+
			`"todos":[{"_id":"%st-%05d","actionString":"Review","coachingFormIds":[%q],"completedAt":null,"createdAt":%q,"creatorId":"u-coach",`+
			`"creatorName":"Coach","description":"Review the call","link":"","status":"open","title":"Review","type":"task","updatedAt":%q,"isDeleted":false}]}`,
			id, i%7, i%7, iso(created), iso(updated), iso(created.Add(24*time.Hour)), g.Notes, iso(created),
			strings.Join(points, ","), g.Prefix, i, id, iso(created), iso(created))
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// point is session i's coaching point, the same bytes wherever it is
// repeated.
func point(prefix string, i int, created time.Time) string {
	return fmt.Sprintf(`{"_id":"%sp-%05d","coachingFormIds":["%ss-%05d"],"type":"strength","classification":"qa","ticketId":"%d",`+
		`"subject":"Greeting","rubricName":"QA","criteriaName":"Greets","kpiName":"","score":"%d","agentNotes":"","coachNotes":"",`+
		`"createdAt":%q,"updatedAt":%q,"isDeleted":false}`, prefix, i, prefix, i, 1000+i, i%5, iso(created.UTC()), iso(created.UTC()))
}

func iso(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
