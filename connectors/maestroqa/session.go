package maestroqa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/ccetl/ccetl/pipeline"
)

var (
	errNotObject      = errors.New("not a JSON object")
	errSessionDropped = errors.New("its coaching session record was rejected (see " + SessionTableName + ")")
	errPointDropped   = errors.New("its coaching point was rejected (see " + PointTableName + ")")
	errTodoDropped    = errors.New("its to-do was rejected (see " + TodoTableName + ")")
	errEmptyFormID    = errors.New("empty coaching form id")
)

// pos is where a record sits in its session; it is formatted only for a
// reject, as "coachingPoints[1]" or "todos[0].coachingFormIds[2]".
type pos struct {
	array string // "" for the session itself
	i     int
	form  int // element of coachingFormIds, or -1
}

func (p pos) String() string {
	s := p.array + "[" + strconv.Itoa(p.i) + "]"
	if p.form >= 0 {
		s += ".coachingFormIds[" + strconv.Itoa(p.form) + "]"
	}
	return s
}

var sessionPos = pos{form: -1}

// keyedChild says how to store the points or the to-dos of a session.
type keyedChild struct {
	array   string
	table   int
	links   int
	dropped error
}

var (
	pointsSpec = keyedChild{"coachingPoints", xPoint, xPointForm, errPointDropped}
	todosSpec  = keyedChild{"todos", xTodo, xTodoForm, errTodoDropped}
)

// session decodes one element of the array: the session row, its activity
// log, its coaching points and to-dos with their form links. While
// prescanning it stages the session, point and to-do rows only to judge
// them, and discards them.
func (d *Decoder) session(s *stream, raw json.RawMessage) {
	if jsonType(raw) != "an object" {
		if !s.plan {
			d.batchers[xSession].Reject(s.reject(sessionPos, "", fmt.Errorf("record is %s, not a coaching session object", jsonType(raw)), raw))
		}
		return
	}
	var w wireSession
	decodeSession(raw, &w)

	d.st.start(d.batchers[xSession].B)
	stageSession(&d.st, &w, childIDs(w.CoachingPoints, func(p *wirePoint) *jstr { return &p.ID }),
		childIDs(w.Todos, func(t *wireTodo) *jstr { return &t.ID }))
	f := d.record(s, xSession, &d.sessions, sessionPos, raw, &w.ID, &w.UpdatedAt)
	if !s.plan {
		id, _ := w.ID.id()
		d.activities(s, w.ActivityLog, id, f)
	}
	for i := range w.CoachingPoints {
		c := &w.CoachingPoints[i]
		d.keyed(s, pointsSpec, &d.points, i, c.raw, c.obj, func() { stagePoint(&d.st, &c.w) }, &c.w.ID, &c.w.UpdatedAt, &c.w.CoachingFormIDs)
	}
	for i := range w.Todos {
		c := &w.Todos[i]
		d.keyed(s, todosSpec, &d.todos, i, c.raw, c.obj, func() { stageTodo(&d.st, &c.w) }, &c.w.ID, &c.w.UpdatedAt, &c.w.CoachingFormIDs)
	}
}

// childIDs lists the usable _ids of a child array, in order.
func childIDs[T any](items []child[T], id func(*T) *jstr) []string {
	ids := []string{}
	for i := range items {
		if v, ok := id(&items[i].w).id(); ok && items[i].obj {
			ids = append(ids, v)
		}
	}
	return ids
}

// keyed stores one coaching point or to-do (element i of its array) and its
// form links.
func (d *Decoder) keyed(s *stream, spec keyedChild, e *entity, i int, raw []byte, obj bool, stage func(), id *jstr, upd *jdate, forms *jlist) {
	p := pos{array: spec.array, i: i, form: -1}
	if !obj {
		d.notObject(s, spec.table, p, raw)
		return
	}
	d.st.start(d.batchers[spec.table].B)
	stage()
	f := d.record(s, spec.table, e, p, raw, id, upd)
	d.links(s, spec, p, id, forms, f)
}

// record judges the row staged for table x, keyed by _id and ordered by
// updatedAt, and (when decoding) writes, merges or rejects it.
func (d *Decoder) record(s *stream, x int, e *entity, p pos, raw []byte, id *jstr, upd *jdate) fate {
	b := d.batchers[x]
	key, hasID := id.id()
	valid := d.st.bad == nil
	if s.plan {
		if hasID {
			e.plan(key, valid, updated(upd), d.st.sum())
		}
		b.B.Discard()
		return reject
	}
	f := reject
	if hasID {
		f = e.decide(key, valid, updated(upd), d.st.sum())
	}
	switch f {
	case write:
		b.Commit(len(raw))
	case merge:
		b.Merge()
	default:
		b.Reject(s.reject(p, d.st.bad.field, d.st.bad.err, raw))
	}
	return f
}

func (d *Decoder) notObject(s *stream, x int, p pos, raw []byte) {
	if !s.plan {
		d.batchers[x].Reject(s.reject(p, "", fmt.Errorf("%w (got %s)", errNotObject, jsonType(raw)), raw))
	}
}

// activities writes a session's activity log with the session: merged when
// the session is merged, rejected when it is rejected.
func (d *Decoder) activities(s *stream, items []child[wireActivity], sessionID string, f fate) {
	b := d.batchers[xActivity]
	for i := range items {
		c := &items[i]
		p := pos{array: "activityLog", i: i, form: -1}
		switch {
		case f == merge:
			b.Merge()
		case f == reject:
			b.Reject(s.reject(p, "", errSessionDropped, c.raw))
		case !c.obj:
			d.notObject(s, xActivity, p, c.raw)
		default:
			d.st.start(b.B)
			stageActivity(&d.st, &c.w, sessionID, i)
			if d.st.bad != nil {
				b.Reject(s.reject(p, d.st.bad.field, d.st.bad.err, c.raw))
				continue
			}
			b.Commit(len(c.raw))
		}
	}
}

// links writes the coachingFormIds of a written point or to-do (a form id
// repeated in the list is merged), merges those of a merged copy and
// rejects those of a rejected one.
func (d *Decoder) links(s *stream, spec keyedChild, p pos, id *jstr, forms *jlist, f fate) {
	if s.plan {
		return
	}
	b := d.batchers[spec.links]
	parent, _ := id.id()
	var seen map[string]bool // only for long lists; short ones are scanned
	if f == write && len(forms.v) > 16 {
		seen = make(map[string]bool, len(forms.v))
	}
	for j, item := range forms.raws {
		p.form = j
		switch {
		case f == merge:
			b.Merge()
		case f == reject:
			b.Reject(s.reject(p, "", spec.dropped, item))
		case forms.v[j] == "":
			b.Reject(s.reject(p, "", errEmptyFormID, item))
		case repeated(forms.v, j, seen):
			b.Merge()
		default:
			b.B.SetString(lParentID, parent)
			b.B.SetString(lFormID, forms.v[j])
			b.Commit(len(item))
		}
	}
}

// repeated reports whether vals[j] occurs before j, with seen (when not
// nil) holding vals[:j].
func repeated(vals []string, j int, seen map[string]bool) bool {
	if seen != nil {
		dup := seen[vals[j]]
		seen[vals[j]] = true
		return dup
	}
	for _, v := range vals[:j] {
		if v == vals[j] {
			return true
		}
	}
	return false
}

// reject builds the reject of a record of the current session: the
// session's record index, the field, and a child's position in the reason.
func (s *stream) reject(p pos, field string, err error, raw []byte) pipeline.Reject {
	if p.array != "" {
		err = fmt.Errorf("%s: %w", p, err)
	}
	return pipeline.Reject{RowError: pipeline.RowError{Source: s.source, Record: s.index, Column: field, Err: err}, Raw: string(raw)}
}
