package genesys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
)

// TestEveryUserWithoutUserIDs: without user_ids the kind lists the
// organization's active users page by page into gen_user and pulls the
// appointments of them all.
func TestEveryUserWithoutUserIDs(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	var users []string
	for i := range 5 {
		id := fmt.Sprintf("user-%d", i)
		users = append(users, id)
		e.AddUsers(genesystest.User{ID: id, Name: fmt.Sprint("Agent ", i), Email: id + "@example.com", Username: id, Title: "Agent", Dept: "Care"})
	}
	e.AddUsers(genesystest.User{ID: "gone-1", Name: "Former Agent", State: "inactive"})
	e.Seed(genesystest.Seed{Users: users, From: day0, Days: 2, PerDay: 3, Annotations: 1})
	e.Add(genesystest.Appointment("other", day0.Add(time.Hour), "nobody", "gone-1"), nil, nil) // only an inactive user attends
	o := mustRun(t, options(e, nil, "user_ids", "", "page_size", "2", "users_per_request", "2"))

	rows := keyed(t, o.out, UserTableName, "id")
	if len(rows) != 5 || rows["gone-1"] != nil {
		t.Fatalf("gen_user rows %v", rows)
	}
	u := rows["user-3"]
	want := map[string]any{"id": "user-3", "name": "Agent 3", "email": "user-3@example.com", "username": "user-3", "state": "active",
		"title": "Agent", "department": "Care", "division_id": "home-division", "version": int64(1), "self_uri": "/api/v2/users/user-3"}
	for k, v := range want {
		if u[k] != v {
			t.Errorf("%s = %#v, want %#v", k, u[k], v)
		}
	}
	appts := keyed(t, o.out, AppointmentTableName, "id")
	if len(appts) != 6 || appts["other"] != nil {
		t.Fatalf("%d appointments: %v", len(appts), appts)
	}
	if n := len(keyed(t, o.out, AnnotationTableName, "id")); n != 6 {
		t.Fatalf("%d annotations", n)
	}
	if c := e.Counts(); c.Users != 3 {
		t.Errorf("%d users pages, want 3 (5 users, 2 a page)", c.Users)
	}
	if r := report(t, o); r["users_listed"] != 5 {
		t.Errorf("report %v", r)
	}
	var names []string
	for _, in := range o.res.Inputs {
		names = append(names, in.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "/api/v2/users") || !strings.Contains(strings.Join(names, " "), "users=all") {
		t.Errorf("inputs %v", names)
	}

	// A rerun replaces the same files: still one row per user.
	o2 := run(t, options(e, nil, "user_ids", "", "page_size", "2", "users_per_request", "2"), day0.AddDate(0, 1, 0), nil, o.out)
	if o2.err != nil {
		t.Fatal(o2.err)
	}
	if n := len(keyed(t, o2.out, UserTableName, "id")); n != 5 {
		t.Fatalf("after a rerun: %d users", n)
	}
}
