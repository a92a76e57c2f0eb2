package maestroqa

import (
	"encoding/binary"
	"hash/maphash"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

// fieldError is the first bad field of a record: the vendor's field name
// and why.
type fieldError struct {
	field string
	err   error
}

// stager stages one row's fields into a builder and, at the same time,
// fingerprints the decoded values so copies of a record can be compared
// without keeping them. After the first bad field it stages nothing more.
type stager struct {
	b   *rowbuild.Builder
	h   maphash.Hash
	bad *fieldError
}

func (s *stager) start(b *rowbuild.Builder) {
	s.b, s.bad = b, nil
	s.h.Reset()
}

func (s *stager) fail(field string, err error) {
	if s.bad == nil {
		s.bad = &fieldError{field, err}
	}
}

func (s *stager) mark(st state) { s.h.WriteByte(byte(st)) }

func (s *stager) int(v int64) {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(v))
	s.h.Write(buf[:])
}

func (s *stager) text(v string) {
	s.h.WriteString(v)
	s.h.WriteByte(0)
}

// str stages a string field.
func (s *stager) str(col int, field string, v *jstr) {
	if s.bad != nil {
		return
	}
	s.hashStr(v)
	switch v.st {
	case set:
		s.b.SetString(col, v.v)
	case bad:
		s.fail(field, v.err)
	}
}

func (s *stager) hashStr(v *jstr) {
	s.mark(v.st)
	if v.st == set {
		s.text(v.v)
	}
}

func (s *stager) hashDate(v *jdate) {
	s.mark(v.st)
	if v.st == set {
		s.int(v.ms)
	}
}

func (s *stager) hashList(v *jlist) {
	s.mark(v.st)
	if v.st == set {
		s.int(int64(len(v.v)))
		for _, x := range v.v {
			s.text(x)
		}
	}
}

// id stages a required, non-empty string.
func (s *stager) id(col int, field string, v *jstr) {
	if _, ok := v.id(); !ok && v.st != bad {
		s.fail(field, errRequired)
	}
	s.str(col, field, v)
}

func (s *stager) boolean(col int, field string, v *jbool) {
	if s.bad != nil {
		return
	}
	s.mark(v.st)
	switch v.st {
	case set:
		s.b.SetBool(col, v.v)
		if v.v {
			s.h.WriteByte('t')
		}
	case bad:
		s.fail(field, v.err)
	}
}

func (s *stager) date(col int, field string, v *jdate) {
	if s.bad != nil {
		return
	}
	s.hashDate(v)
	switch v.st {
	case set:
		s.b.SetTimestamp(col, v.ms)
	case bad:
		s.fail(field, v.err)
	}
}

// list stages a string[] field into a list column (col < 0: only check and
// fingerprint it).
func (s *stager) list(col int, field string, v *jlist) {
	if s.bad != nil {
		return
	}
	s.hashList(v)
	switch v.st {
	case set:
		if col >= 0 {
			s.b.SetList(col, v.v)
		}
	case bad:
		s.fail(field, v.err)
	}
}

// ids stages the _ids of child records as a list column.
func (s *stager) ids(col int, ids []string) {
	if s.bad != nil {
		return
	}
	s.b.SetList(col, ids)
	s.int(int64(len(ids)))
	for _, x := range ids {
		s.text(x)
	}
}

// activityLog fingerprints a session's activity log, which is not staged
// with the session (it has its own table), by its decoded values, so a
// re-formatted copy is no different.
func (s *stager) activityLog(items []child[wireActivity]) {
	s.int(int64(len(items)))
	for i := range items {
		c := &items[i]
		if !c.obj {
			s.int(int64(len(c.raw)))
			s.h.Write(c.raw)
			continue
		}
		a := &c.w
		s.hashStr(&a.UserID)
		s.hashStr(&a.UserEmail)
		s.hashStr(&a.ActionType)
		s.hashList(&a.Descriptions)
		s.hashDate(&a.Timestamp)
		s.hashStr(&a.IPAddress)
	}
}

func (s *stager) sum() uint64 { return s.h.Sum64() }

// updated returns a staged updatedAt for ordering copies.
func updated(v *jdate) int64 {
	if v.st == set {
		return v.ms
	}
	return noDate
}

func stageSession(s *stager, w *wireSession, pointIDs, todoIDs []string) {
	s.id(sID, "_id", &w.ID)
	s.str(sCoachingFormName, "coachingFormName", &w.CoachingFormName)
	s.str(sCoachingTemplateID, "coachingTemplateId", &w.CoachingTemplateID)
	s.str(sCoachingTemplateName, "coachingTemplateName", &w.CoachingTemplateName)
	s.str(sMeetingFormat, "meetingFormat", &w.MeetingFormat)
	s.str(sFormCreatorID, "formCreatorId", &w.FormCreatorID)
	s.str(sFormCreatorName, "formCreatorName", &w.FormCreatorName)
	s.str(sCoachName, "coachName", &w.CoachName)
	s.str(sCoachID, "coachId", &w.CoachID)
	s.str(sAgentID, "agentId", &w.AgentID)
	s.str(sAgentName, "agentName", &w.AgentName)
	s.date(sCreatedAt, "createdAt", &w.CreatedAt)
	s.date(sUpdatedAt, "updatedAt", &w.UpdatedAt)
	s.boolean(sSharedWithAgent, "sharedWithAgent", &w.SharedWithAgent)
	s.date(sMeetingDate, "meetingDate", &w.MeetingDate)
	s.boolean(sAgentConfirmed, "agentConfirmed", &w.AgentConfirmed)
	s.boolean(sCoachConfirmed, "coachConfirmed", &w.CoachConfirmed)
	s.str(sCoachNotes, "coachNotes", &w.CoachNotes)
	s.str(sAgentNotes, "agentNotes", &w.AgentNotes)
	s.boolean(sIsDeleted, "isDeleted", &w.IsDeleted)
	if w.arrays != nil {
		s.fail(w.arrays.field, w.arrays.err)
	}
	s.activityLog(w.ActivityLog)
	s.ids(sCoachingPointIDs, pointIDs)
	s.ids(sTodoIDs, todoIDs)
}

func stageActivity(s *stager, w *wireActivity, sessionID string, ordinal int) {
	s.b.SetString(aSessionID, sessionID)
	s.b.SetInt(aOrdinal, int64(ordinal))
	s.str(aUserID, "userId", &w.UserID)
	s.str(aUserEmail, "userEmail", &w.UserEmail)
	s.str(aActionType, "actionType", &w.ActionType)
	s.list(aDescriptions, "descriptions", &w.Descriptions)
	s.date(aTimestamp, "timestamp", &w.Timestamp)
	s.str(aIPAddress, "ipAddress", &w.IPAddress)
}

func stagePoint(s *stager, w *wirePoint) {
	s.id(pID, "_id", &w.ID)
	s.list(-1, "coachingFormIds", &w.CoachingFormIDs)
	s.str(pType, "type", &w.Type)
	s.str(pClassification, "classification", &w.Classification)
	s.str(pTicketID, "ticketId", &w.TicketID)
	s.str(pSubject, "subject", &w.Subject)
	s.str(pRubricName, "rubricName", &w.RubricName)
	s.str(pCriteriaName, "criteriaName", &w.CriteriaName)
	s.str(pKPIName, "kpiName", &w.KPIName)
	s.str(pScore, "score", &w.Score.jstr)
	if s.bad == nil && w.Score.st == set {
		if v, err := parse.Float([]byte(strings.TrimSpace(w.Score.v))); err == nil {
			s.b.SetFloat(pScoreValue, v)
		}
	}
	s.str(pAgentNotes, "agentNotes", &w.AgentNotes)
	s.str(pCoachNotes, "coachNotes", &w.CoachNotes)
	s.date(pCreatedAt, "createdAt", &w.CreatedAt)
	s.date(pUpdatedAt, "updatedAt", &w.UpdatedAt)
	s.boolean(pIsDeleted, "isDeleted", &w.IsDeleted)
}

func stageTodo(s *stager, w *wireTodo) {
	s.id(tID, "_id", &w.ID)
	s.str(tActionString, "actionString", &w.ActionString)
	s.list(-1, "coachingFormIds", &w.CoachingFormIDs)
	s.date(tCompletedAt, "completedAt", &w.CompletedAt)
	s.date(tCreatedAt, "createdAt", &w.CreatedAt)
	s.str(tCreatorID, "creatorId", &w.CreatorID)
	s.str(tCreatorName, "creatorName", &w.CreatorName)
	s.str(tDescription, "description", &w.Description)
	s.str(tLink, "link", &w.Link)
	s.str(tStatus, "status", &w.Status)
	s.str(tTitle, "title", &w.Title)
	s.str(tType, "type", &w.Type)
	s.date(tUpdatedAt, "updatedAt", &w.UpdatedAt)
	s.boolean(tIsDeleted, "isDeleted", &w.IsDeleted)
}
