package livevox

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

var (
	errAgentRejected = errors.New("its agent record was rejected (see " + AgentTableName + ")")
	errProficiency   = errors.New("out of range: proficiency is 1 to 5")
	errWrapUp        = errors.New("out of range: wrapUpTime is -1 (unlimited) or more")
	errConflict      = errors.New("skill assigned twice with different proficiencies")
)

// stage fills one row of a builder and keeps the first problem.
type stage struct {
	b   *rowbuild.Builder
	col string
	err error
}

func (s *stage) fail(col string, err error) {
	if s.err == nil {
		s.col, s.err = col, err
	}
}

// set stages raw (absent or null: the column stays null) with read, which
// parses and stages it; a parse error fails the row under key.
func (s *stage) set(key string, raw json.RawMessage, read func([]byte) error) {
	if raw == nil {
		return
	}
	if err := read(raw); err != nil {
		s.fail(key, err)
	}
}

func (s *stage) str(col int, key string, raw json.RawMessage) {
	s.set(key, raw, func(b []byte) error {
		v, err := asString(b)
		if err == nil {
			s.b.SetString(col, v)
		}
		return err
	})
}

func (s *stage) boolean(col int, key string, raw json.RawMessage) {
	s.set(key, raw, func(b []byte) error {
		v, err := asBool(b)
		if err == nil {
			s.b.SetBool(col, v)
		}
		return err
	})
}

func (s *stage) millis(col int, key string, raw json.RawMessage) {
	s.set(key, raw, func(b []byte) error {
		v, err := asMillis(b)
		if err == nil {
			s.b.SetTimestamp(col, v)
		}
		return err
	})
}

// agentFields is an agent's two sources: its List Agents entry and its
// Read Agent body. Read's value wins where both have a key.
type agentFields struct{ item, read obj }

func (f agentFields) get(k string) json.RawMessage {
	if v := f.read.value(k); v != nil {
		return v
	}
	return f.item.value(k)
}

// stageAgent stages an lv_agent row. id is the list entry's; clientID 0
// leaves client_id null.
func stageAgent(b *rowbuild.Builder, snapshot, clientID, id int64, f agentFields) *stage {
	s := &stage{b: b}
	b.SetTimestamp(aSnapshot, snapshot)
	if clientID > 0 {
		b.SetInt(aClientID, clientID)
	}
	b.SetInt(aID, id)
	if f.get("loginId") == nil {
		s.fail("loginId", errMissing)
	}
	s.str(aLoginID, "loginId", f.get("loginId"))
	s.str(aFirstName, "firstName", f.get("firstName"))
	s.str(aLastName, "lastName", f.get("lastName"))
	s.str(aPhone, "phone", f.get("phone"))
	s.set("wrapUpTime", f.get("wrapUpTime"), func(raw []byte) error {
		v, err := asInt(raw)
		if err == nil && v < -1 {
			err = errWrapUp
		}
		if err == nil {
			b.SetInt(aWrapUpTime, v)
		}
		return err
	})
	s.boolean(aHomeAgent, "homeAgent", f.get("homeAgent"))
	s.boolean(aActive, "active", f.get("active"))
	s.boolean(aLocked, "locked", f.get("locked"))
	s.millis(aLastLogin, "lastLogin", f.get("lastLogin"))
	s.str(aLastLoginIP, "lastLoginIp", f.get("lastLoginIp"))
	s.millis(aPasswordLastModified, "passwordLastModified", f.get("passwordLastModified"))
	s.millis(aLastModified, "lastModified", f.get("lastModified"))
	return s
}

// stageSkill stages an lv_agent_skill row from a List Agent Skills entry
// and returns its id (0 when it has none).
func stageSkill(b *rowbuild.Builder, snapshot, clientID int64, o obj) (int64, *stage) {
	s := &stage{b: b}
	b.SetTimestamp(sSnapshot, snapshot)
	if clientID > 0 {
		b.SetInt(sClientID, clientID)
	}
	var id int64
	if raw := o.value("id"); raw == nil {
		s.fail("id", errMissing)
	} else if v, err := asID(raw); err != nil {
		s.fail("id", err)
	} else {
		id = v
		b.SetInt(sID, v)
	}
	s.str(sName, "name", o.value("name"))
	return id, s
}

// assignment is one element of assignedAgentSkill or assignedService.
type assignment struct {
	id          int64
	proficiency int64 // skills only
}

// stageAssignment stages an assignment row of agent from element raw;
// withProficiency reads and checks proficiency (1 to 5).
func stageAssignment(b *rowbuild.Builder, snapshot, agent int64, raw []byte, withProficiency bool) (assignment, *stage) {
	s := &stage{b: b}
	var a assignment
	o, err := parseObj(raw)
	if err != nil {
		s.fail("", err)
		return a, s
	}
	b.SetTimestamp(xSnapshot, snapshot)
	b.SetInt(xAgentID, agent)
	if v := o.value("id"); v == nil {
		s.fail("id", errMissing)
	} else if a.id, err = asID(v); err != nil {
		s.fail("id", err)
	} else {
		b.SetInt(xOtherID, a.id)
	}
	if !withProficiency {
		return a, s
	}
	switch v := o.value("proficiency"); {
	case v == nil:
		s.fail("proficiency", errMissing)
	default:
		p, err := asInt(v)
		if err == nil && (p < 1 || p > 5) {
			err = errProficiency
		}
		if err != nil {
			s.fail("proficiency", err)
			break
		}
		a.proficiency = p
		b.SetInt(xProficiency, p)
	}
	return a, s
}

// reject is the reject of a record at index of the response source; where
// (an array element such as "assignedAgentSkill[2]") prefixes the reason.
// Password fields are removed from the raw record.
func reject(source string, index int64, where, col string, err error, raw []byte) pipeline.Reject {
	if where != "" {
		err = fmt.Errorf("%s: %w", where, err)
	}
	return pipeline.Reject{RowError: pipeline.RowError{Source: source, Record: index, Column: col, Err: err}, Raw: string(scrub(raw))}
}
