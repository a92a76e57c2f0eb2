package coachingpush

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// target is a connection to one organization's coaching API.
type target struct {
	conn *genesys.Conn
	o    options
	log  *slog.Logger
	appt pipeline.Entity
	note pipeline.Entity
}

func (t *target) Close() error { return t.conn.Close() }

// compared are the wire fields an update compares (and may send).
var compared = []string{"name", "description", "dateStart", "lengthInMinutes", "attendeeIds", "facilitatorId", "conversationIds"}

// apptIn is one appointments record being planned.
type apptIn struct {
	c     pipeline.Change
	srcID string // the row's id field
	ok    bool   // valid so far
}

// Plan validates every record, reads the users of the organization and
// the appointments of the input's attendees over the input's dates (and
// the annotations of the appointments the input annotates), and plans
// each record against them.
func (t *target) Plan(ctx context.Context, recs []pipeline.Record, led pipeline.Ledger) (*pipeline.Plan, error) {
	var appts, notes []pipeline.Record
	for _, r := range recs {
		switch r.Entity {
		case Appointments:
			appts = append(appts, r)
		case Annotations:
			notes = append(notes, r)
		default:
			return nil, fmt.Errorf("%s has no entity %q", KindName, r.Entity)
		}
	}
	known := map[string]bool{}
	if len(appts) > 0 {
		users, err := t.conn.Users(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: read the organization's users: %w", KindName, err)
		}
		for _, u := range users {
			known[u.ID] = true
		}
	}

	// Validate the appointments and gather what the state read needs.
	ins := make([]*apptIn, len(appts))
	attendees := map[string]bool{}
	var from, to time.Time
	for i, r := range appts {
		in := &apptIn{c: pipeline.Change{Entity: Appointments, Origin: r.Origin}}
		ins[i] = in
		w, src, err := t.apptWire(r.Values, known)
		if err != nil {
			in.c.Action, in.c.Reason = pipeline.ActionInvalid, err.Error()
			continue
		}
		in.ok, in.srcID, in.c.Wire = true, src, pipeline.WireMap(w)
		in.c.Key = src
		if in.c.Key == "" {
			in.c.Key = fmt.Sprintf("%s @ %s (%s)", w["name"], w["dateStart"], w["attendeeIds"])
		}
		for _, u := range splitIDs(w["attendeeIds"]) {
			attendees[u] = true
		}
		start, _ := time.Parse(wireTime, w["dateStart"])
		if from.IsZero() || start.Before(from) {
			from = start
		}
		if to.IsZero() || !start.Before(to) {
			to = start
		}
	}
	st := &state{byID: map[string]*appointment{}, absent: map[string]bool{}}
	if len(attendees) > 0 {
		users := make([]string, 0, len(attendees))
		for u := range attendees {
			users = append(users, u)
		}
		slices.Sort(users)
		if err := t.list(ctx, st, users, from.Truncate(time.Second), to.Truncate(time.Second).Add(time.Minute)); err != nil {
			return nil, fmt.Errorf("%s: %w", KindName, err)
		}
	}
	byNatural := map[string]*appointment{}
	for _, id := range slices.Sorted(maps.Keys(st.byID)) {
		a := st.byID[id]
		if k := naturalKey(a.wire); byNatural[k] == nil {
			byNatural[k] = a
		}
	}

	p := &pipeline.Plan{CreatedAt: time.Now().UTC()}
	seenKey := map[string]string{}
	claimed := map[string]string{} // target appointment id → origin of the row it is
	bySrc := map[string]*apptIn{}
	badSrc := map[string]bool{}
	for _, in := range ins {
		if in.ok {
			if first, dup := seenKey[in.c.Key]; dup {
				in.ok, in.c.Action, in.c.Reason = false, pipeline.ActionInvalid, fmt.Sprintf("appointment %s appears twice in the input (first at %s)", in.c.Key, first)
			} else {
				seenKey[in.c.Key] = in.c.Origin
			}
		}
		if in.ok {
			have, err := t.match(ctx, st, in, led, byNatural)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", KindName, err)
			}
			if have != nil {
				if first, dup := claimed[have.id]; dup {
					in.ok, in.c.Action, in.c.Reason = false, pipeline.ActionInvalid, fmt.Sprintf("is the same appointment on the target (%s) as the row at %s", have.id, first)
				} else {
					claimed[have.id] = in.c.Origin
				}
			}
			if in.ok {
				var cur *push.Current
				if have != nil {
					cur = &push.Current{ID: have.id, Wire: have.wire}
				}
				in.c = push.Upsert(in.c, cur, compared)
			}
		}
		if in.srcID != "" {
			if in.ok {
				bySrc[in.srcID] = in
			} else {
				badSrc[in.srcID] = true
			}
		}
		in.c.Seq = len(p.Changes)
		p.Changes = append(p.Changes, in.c)
	}
	// Rows whose id was invalid still name their appointment for annotations.
	for i, r := range appts {
		if !ins[i].ok {
			if s, _ := r.Values["id"].(string); strings.TrimSpace(s) != "" && bySrc[strings.TrimSpace(s)] == nil {
				badSrc[strings.TrimSpace(s)] = true
			}
		}
	}

	seenNote := map[string]string{}
	for _, r := range notes {
		c, err := t.planNote(ctx, st, r, bySrc, badSrc, seenNote)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KindName, err)
		}
		c.Seq = len(p.Changes)
		p.Changes = append(p.Changes, c)
	}
	p.State = st.fingerprints()
	return p, nil
}

// match finds the appointment a record is on the target: the one with the
// record's id, the one the ledger recorded for its key, the one with the
// same name, dateStart and attendees; nil when there is none.
func (t *target) match(ctx context.Context, st *state, in *apptIn, led pipeline.Ledger, byNatural map[string]*appointment) (*appointment, error) {
	if a := st.byID[in.srcID]; in.srcID != "" && a != nil {
		return a, nil
	}
	var ledgerID string
	if led != nil {
		if e, ok := led.Lookup(Appointments, in.c.Key); ok {
			ledgerID = e.TargetID
		}
	}
	if a := st.byID[ledgerID]; ledgerID != "" && a != nil {
		return a, nil
	}
	if a := byNatural[naturalKey(in.c.Wire.Map())]; a != nil {
		return a, nil
	}
	for _, id := range []string{ledgerID, in.srcID} {
		a, err := t.fetch(ctx, st, id)
		if err != nil || a != nil {
			return a, err
		}
	}
	return nil, nil
}

// apptWire checks an appointments record and writes its wire cells; it
// returns the row's own id too.
func (t *target) apptWire(v map[string]any, known map[string]bool) (map[string]string, string, error) {
	if err := push.Check(t.appt, v); err != nil {
		return nil, "", err
	}
	str := func(k string) string { s, _ := v[k].(string); return strings.TrimSpace(s) }
	w := map[string]string{"name": str("name"), "description": str("description")}
	for _, k := range []string{"name", "description"} {
		if w[k] == "" {
			return nil, "", fmt.Errorf("field %s: required", k)
		}
	}
	start := v["date_start"].(time.Time)
	w["dateStart"] = start.UTC().Format(wireTime)
	n := v["length_in_minutes"].(int64)
	if n <= 0 {
		return nil, "", fmt.Errorf("field length_in_minutes: must be positive, got %d", n)
	}
	w["lengthInMinutes"] = strconv.FormatInt(n, 10)
	list := func(k string) ([]string, error) {
		l, _ := v[k].([]string)
		for _, id := range l {
			if strings.Contains(id, ",") {
				return nil, fmt.Errorf("field %s: an id with a comma", k)
			}
		}
		return l, nil
	}
	att, err := list("attendee_ids")
	if err != nil {
		return nil, "", err
	}
	w["attendeeIds"] = joinIDs(att)
	if w["attendeeIds"] == "" {
		return nil, "", fmt.Errorf("field attendee_ids: required")
	}
	for _, u := range splitIDs(w["attendeeIds"]) {
		if !known[u] {
			return nil, "", fmt.Errorf("field attendee_ids: unknown attendee %q (not an active user of the organization)", u)
		}
	}
	if f := str("facilitator_id"); f != "" {
		if !known[f] {
			return nil, "", fmt.Errorf("field facilitator_id: unknown facilitator %q (not an active user of the organization)", f)
		}
		w["facilitatorId"] = f
	}
	conv, err := list("conversation_ids")
	if err != nil {
		return nil, "", err
	}
	if c := joinIDs(conv); c != "" {
		w["conversationIds"] = c
	}
	return w, str("id"), nil
}

// planNote plans one annotations record: invalid, unchanged (its
// appointment has the same text and accessType) or create.
func (t *target) planNote(ctx context.Context, st *state, r pipeline.Record, bySrc map[string]*apptIn, badSrc map[string]bool, seen map[string]string) (pipeline.Change, error) {
	c := pipeline.Change{Entity: Annotations, Origin: r.Origin}
	invalid := func(format string, args ...any) (pipeline.Change, error) {
		c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf(format, args...)
		return c, nil
	}
	if err := push.Check(t.note, r.Values); err != nil {
		return invalid("%v", err)
	}
	str := func(k string) string { s, _ := r.Values[k].(string); return strings.TrimSpace(s) }
	ref, text := str("appointment_id"), r.Values["text"].(string)
	if strings.TrimSpace(text) == "" {
		return invalid("field text: required")
	}
	access := "Public"
	if strings.EqualFold(str("access_type"), "Private") {
		access = "Private"
	}
	sum := sha256.Sum256([]byte(access + "\x00" + text))
	c.Key = ref + "/" + str("id")
	if str("id") == "" {
		c.Key = ref + "/" + hex.EncodeToString(sum[:6])
	}
	c.Wire = pipeline.WireMap(map[string]string{"text": text, "accessType": access})
	var have *appointment
	if in := bySrc[ref]; in != nil {
		if in.c.Action == pipeline.ActionCreate {
			c.Wire.Set("appointmentKey", in.c.Key)
		} else {
			have = st.byID[in.c.TargetID]
		}
	} else if badSrc[ref] {
		return invalid("field appointment_id: appointment %q of this push is invalid", ref)
	} else {
		a, err := t.fetch(ctx, st, ref)
		if err != nil {
			return c, err
		}
		if a == nil {
			return invalid("field appointment_id: no appointment %q in this push or on the target", ref)
		}
		have = a
	}
	dupKey := ref + "\x00" + access + "\x00" + text
	if first, dup := seen[dupKey]; dup {
		return invalid("the same annotation of appointment %q appears twice in the input (first at %s)", ref, first)
	}
	seen[dupKey] = r.Origin
	c.Hash = push.Hash(c.Wire)
	c.Action = pipeline.ActionCreate
	if have == nil {
		return c, nil
	}
	c.Wire.Set("appointmentId", have.id)
	c.Hash = push.Hash(c.Wire)
	ns, err := t.notes(ctx, have)
	if err != nil {
		return c, err
	}
	for _, n := range ns {
		if n.text == text && n.accessType == access {
			c.Action, c.TargetID = pipeline.ActionUnchanged, n.id
			break
		}
	}
	return c, nil
}
