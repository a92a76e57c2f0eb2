package orgimport

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// target is a connection to one tenant's org import.
type target struct {
	conn   *calapi.Conn
	o      options
	fields map[string][]field
	ents   map[string]pipeline.Entity
	state  map[string]*orgState
}

func (t *target) Close() error {
	t.conn.Close()
	return nil
}

// Plan reads the tenant's groups, teams and persons and compares each
// record with them. The ledger is not needed: the export shows what an
// earlier push did.
func (t *target) Plan(ctx context.Context, recs []pipeline.Record, _ pipeline.Ledger) (*pipeline.Plan, error) {
	p := &pipeline.Plan{State: map[string]string{}, CreatedAt: time.Now().UTC()}
	t.state = map[string]*orgState{}
	byType := map[string][]pipeline.Record{}
	for _, r := range recs {
		if _, ok := t.ents[r.Entity]; !ok {
			return nil, fmt.Errorf("%s has no entity %q", KindName, r.Entity)
		}
		byType[r.Entity] = append(byType[r.Entity], r)
	}
	planned := map[string]map[string]bool{} // names created by this plan, by type
	for _, typ := range entityTypes {
		st, err := t.read(ctx, typ)
		if err != nil {
			return nil, err
		}
		t.state[typ] = st
		p.State[typ] = push.Fingerprint(st.byKey(typ))
		planned[typ] = map[string]bool{}
		seen := map[string]string{}
		for _, r := range byType[typ] {
			c := t.change(typ, r, st, planned, seen)
			c.Seq = len(p.Changes)
			p.Changes = append(p.Changes, c)
		}
	}
	return p, nil
}

// change plans one record.
func (t *target) change(typ string, r pipeline.Record, st *orgState, planned map[string]map[string]bool, seen map[string]string) pipeline.Change {
	c := pipeline.Change{Entity: typ, Origin: r.Origin}
	invalid := func(format string, args ...any) pipeline.Change {
		c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf(format, args...)
		return c
	}
	if err := push.Check(t.ents[typ], r.Values); err != nil {
		return invalid("%v", err)
	}
	want := wireOf(t.fields[typ], r.Values)
	var have *current
	switch typ {
	case "persons":
		c.Key = personKey(want)
		if c.Key == "" {
			return invalid("a person needs an email, an AD login or an ACD id")
		}
		var err error
		if have, err = st.findPerson(want); err != nil {
			return invalid("%v", err)
		}
		if team := want["memberGroup"]; team != "" && t.state["teams"].findName(team) == nil && !planned["teams"][team] {
			return invalid("field member_team_name: no team named %q on the tenant or in this push", team)
		}
		if strings.EqualFold(want["enableScheduling"], "True") && (want["acdId"] == "" || want["acdServerId"] == "") &&
			(have == nil || have.wire["acdId"] == "" || have.wire["acdServerId"] == "") {
			return invalid("fields acd_id and acd_server_id are required when enable_scheduling is true")
		}
	default:
		c.Key = want["name"]
		have = st.findName(c.Key)
		if typ == "teams" {
			parent := want["parentGroupId"]
			if parent == "" && have != nil {
				parent = have.wire["parentGroupId"]
			}
			if parent == "" {
				return invalid("field parent_group_name: required")
			}
			if t.state["groups"].findName(parent) == nil && !planned["groups"][parent] {
				return invalid("field parent_group_name: no group named %q on the tenant or in this push", parent)
			}
		}
	}
	if first, dup := seen[strings.ToLower(c.Key)]; dup {
		return invalid("%s %q appears twice in the input (first at %s)", strings.TrimSuffix(typ, "s"), c.Key, first)
	}
	seen[strings.ToLower(c.Key)] = r.Origin
	delete(want, idKey(typ))
	c.Wire = pipeline.WireMap(fill(typ, want, have))
	var compare []string
	for _, f := range t.fields[typ] {
		if f.Key != idKey(typ) && st.shown[f.Key] {
			compare = append(compare, f.Key)
		}
	}
	var cur *push.Current
	if have != nil {
		cur = &push.Current{ID: fmt.Sprint(have.id), Wire: have.wire}
	}
	c = push.Upsert(c, cur, compare)
	if c.Action == pipeline.ActionCreate {
		planned[typ][c.Key] = true
	}
	return c
}

// personKey is a person's key in the plan and the ledger: the email, else
// the AD login, else the ACD id.
func personKey(w map[string]string) string {
	for _, k := range personIdentity {
		if v := w[k]; v != "" {
			if k == "email" {
				return strings.ToLower(v)
			}
			return k + ":" + v
		}
	}
	return ""
}

// columns returns the upload header of a batch: every column for groups
// and teams; for persons the documented columns some row of the batch has.
func (t *target) columns(typ string, batch []pipeline.Change) []string {
	var out []string
	for _, f := range t.fields[typ] {
		if typ != "persons" || f.ImportField.Required ||
			slices.ContainsFunc(batch, func(c pipeline.Change) bool { return c.Wire.Get(f.Key) != "" }) {
			out = append(out, f.Key)
		}
	}
	return out
}
