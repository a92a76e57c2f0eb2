package maestroqa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The wire types below decode one JSON value each and never return an error
// to encoding/json: a value of the wrong type is recorded on the field
// (err), so the record it belongs to is rejected naming that field while
// the rest of the record, and its siblings, still decode.

// state says what a field held.
type state uint8

const (
	absent state = iota // the key was not present
	null                // JSON null
	set                 // a usable value
	bad                 // a value of the wrong type or form (err says why)
)

var errRequired = errors.New("required value is missing")

// jsonType names the JSON type of a raw value for messages (never the
// value itself).
func jsonType(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func wrongType(want string, b []byte) error {
	return fmt.Errorf("want %s, got %s", want, jsonType(b))
}

// checkUTF8 reports the first invalid UTF-8 byte of a raw JSON string, as
// a 0-based offset into the text between the quotes.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("invalid UTF-8 at byte offset %d of the text", i-1)
		}
		i += n
	}
	return errors.New("invalid UTF-8")
}

// unquote decodes a raw JSON string (already syntax-checked).
func unquote(b []byte) (string, error) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", errors.New("not a valid JSON string")
	}
	if err := checkUTF8(b); err != nil {
		return "", err
	}
	plain := true
	for _, c := range b[1 : len(b)-1] {
		if c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", errors.New("not a valid JSON string")
	}
	return s, nil
}

// jstr is a string field.
type jstr struct {
	v   string
	st  state
	err error
}

func (s *jstr) UnmarshalJSON(b []byte) error {
	*s = jstr{st: bad}
	switch jsonType(b) {
	case "null":
		s.st = null
	case "a string":
		if s.v, s.err = unquote(b); s.err == nil {
			s.st = set
		}
	default:
		s.err = wrongType("a string", b)
	}
	return nil
}

// jscore is a string field that also takes a JSON number, kept as its
// literal text: score is documented as a string, but a number there loses
// nothing.
type jscore struct{ jstr }

func (s *jscore) UnmarshalJSON(b []byte) error {
	if jsonType(b) == "a number" {
		s.jstr = jstr{v: string(b), st: set}
		return nil
	}
	return s.jstr.UnmarshalJSON(b)
}

// jbool is a boolean field: JSON true or false.
type jbool struct {
	v   bool
	st  state
	err error
}

func (x *jbool) UnmarshalJSON(b []byte) error {
	*x = jbool{st: set}
	switch jsonType(b) {
	case "null":
		x.st = null
	case "a boolean":
		x.v = b[0] == 't'
	default:
		x.st, x.err = bad, wrongType("a boolean", b)
	}
	return nil
}

// jdate is a Date field in epoch milliseconds (see date.go for the forms).
type jdate struct {
	ms  int64
	st  state
	err error
}

func (d *jdate) UnmarshalJSON(b []byte) error {
	*d = jdate{st: set}
	if jsonType(b) == "null" {
		d.st = null
		return nil
	}
	if d.ms, d.err = parseDate(b); d.err != nil {
		d.st = bad
	}
	return nil
}

// jlist is a string[] field. raws keeps every element, also those that are
// not strings, so the link rows of a rejected parent can be rejected one by
// one.
type jlist struct {
	v    []string
	raws []json.RawMessage
	st   state
	err  error
}

func (l *jlist) UnmarshalJSON(b []byte) error {
	*l = jlist{st: bad}
	switch jsonType(b) {
	case "null":
		l.st = null
		return nil
	case "an array":
	default:
		l.err = wrongType("an array of strings", b)
		return nil
	}
	if err := json.Unmarshal(b, &l.raws); err != nil {
		l.err = errors.New("not a valid JSON array")
		return nil
	}
	l.v = make([]string, 0, len(l.raws))
	for i, r := range l.raws {
		if jsonType(r) != "a string" {
			l.err = fmt.Errorf("element %d: %w", i, wrongType("a string", r))
			return nil
		}
		s, err := unquote(r)
		if err != nil {
			l.err = fmt.Errorf("element %d: %w", i, err)
			return nil
		}
		l.v = append(l.v, s)
	}
	l.st = set
	return nil
}

// child is one element of a child array (activityLog, coachingPoints,
// todos): its raw JSON, for a reject, and its fields when it is an object.
type child[T any] struct {
	raw []byte
	obj bool
	w   T
}

func (c *child[T]) UnmarshalJSON(b []byte) error {
	c.raw = append([]byte(nil), b...)
	if jsonType(b) == "an object" {
		c.obj = true
		json.Unmarshal(b, &c.w) // cannot fail: every field records its own error
	}
	return nil
}

// wireSession is one element of the exported array, named as the reference
// documents it.
type wireSession struct {
	ID                   jstr                  `json:"_id"`
	CoachingFormName     jstr                  `json:"coachingFormName"`
	CoachingTemplateID   jstr                  `json:"coachingTemplateId"`
	CoachingTemplateName jstr                  `json:"coachingTemplateName"`
	MeetingFormat        jstr                  `json:"meetingFormat"`
	FormCreatorID        jstr                  `json:"formCreatorId"`
	FormCreatorName      jstr                  `json:"formCreatorName"`
	CoachName            jstr                  `json:"coachName"`
	CoachID              jstr                  `json:"coachId"`
	AgentID              jstr                  `json:"agentId"`
	AgentName            jstr                  `json:"agentName"`
	CreatedAt            jdate                 `json:"createdAt"`
	UpdatedAt            jdate                 `json:"updatedAt"`
	SharedWithAgent      jbool                 `json:"sharedWithAgent"`
	MeetingDate          jdate                 `json:"meetingDate"`
	AgentConfirmed       jbool                 `json:"agentConfirmed"`
	CoachConfirmed       jbool                 `json:"coachConfirmed"`
	CoachNotes           jstr                  `json:"coachNotes"`
	AgentNotes           jstr                  `json:"agentNotes"`
	IsDeleted            jbool                 `json:"isDeleted"`
	ActivityLog          []child[wireActivity] `json:"activityLog"`
	CoachingPoints       []child[wirePoint]    `json:"coachingPoints"`
	Todos                []child[wireTodo]     `json:"todos"`

	// arrays is set when a child array is not an array (encoding/json's
	// only possible error here, since every other field records its own).
	arrays *fieldError
}

// decodeSession decodes a session object.
func decodeSession(raw []byte, w *wireSession) {
	err := json.Unmarshal(raw, w)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		w.arrays = &fieldError{te.Field, fmt.Errorf("want an array of objects, got %s", jsonName(te.Value))}
	} else if err != nil {
		w.arrays = &fieldError{"", err}
	}
}

// jsonName turns encoding/json's type names into the ones jsonType uses.
func jsonName(v string) string {
	switch {
	case v == "bool":
		return "a boolean"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return "a " + v
}

type wireActivity struct {
	UserID       jstr  `json:"userId"`
	UserEmail    jstr  `json:"userEmail"`
	ActionType   jstr  `json:"actionType"`
	Descriptions jlist `json:"descriptions"`
	Timestamp    jdate `json:"timestamp"`
	IPAddress    jstr  `json:"ipAddress"`
}

type wirePoint struct {
	ID              jstr   `json:"_id"`
	CoachingFormIDs jlist  `json:"coachingFormIds"`
	Type            jstr   `json:"type"`
	Classification  jstr   `json:"classification"`
	TicketID        jstr   `json:"ticketId"`
	Subject         jstr   `json:"subject"`
	RubricName      jstr   `json:"rubricName"`
	CriteriaName    jstr   `json:"criteriaName"`
	KPIName         jstr   `json:"kpiName"`
	Score           jscore `json:"score"`
	AgentNotes      jstr   `json:"agentNotes"`
	CoachNotes      jstr   `json:"coachNotes"`
	CreatedAt       jdate  `json:"createdAt"`
	UpdatedAt       jdate  `json:"updatedAt"`
	IsDeleted       jbool  `json:"isDeleted"`
}

type wireTodo struct {
	ID              jstr  `json:"_id"`
	ActionString    jstr  `json:"actionString"`
	CoachingFormIDs jlist `json:"coachingFormIds"`
	CompletedAt     jdate `json:"completedAt"`
	CreatedAt       jdate `json:"createdAt"`
	CreatorID       jstr  `json:"creatorId"`
	CreatorName     jstr  `json:"creatorName"`
	Description     jstr  `json:"description"`
	Link            jstr  `json:"link"`
	Status          jstr  `json:"status"`
	Title           jstr  `json:"title"`
	Type            jstr  `json:"type"`
	UpdatedAt       jdate `json:"updatedAt"`
	IsDeleted       jbool `json:"isDeleted"`
}

// id returns a record's _id when it is a non-empty string.
func (s *jstr) id() (string, bool) { return s.v, s.st == set && s.v != "" }
