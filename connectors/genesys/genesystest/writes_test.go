package genesystest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func mustReq(t *testing.T, method, u, tok, body string) *http.Request {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestCreateUpdateAnnotate(t *testing.T) {
	e := New(t, Config{})
	e.AddUsers(User{ID: "coach"}, User{ID: "u1"}, User{ID: "u2"}, User{ID: "old", State: "inactive"})
	tok := newToken(t, e)
	path := "/api/v2/coaching/appointments"

	// A missing required field is a 400 ErrorBody naming it.
	code, m := do(t, mustReq(t, "POST", e.APIURL()+path, tok, `{"name":"A","description":"d","dateStart":"2024-01-04T09:00:00Z","attendeeIds":["u1"]}`))
	if code != 400 || m["code"] != "bad.request" || !strings.Contains(m["message"].(string), "lengthInMinutes") ||
		m["messageWithParams"] == nil || m["messageParams"] == nil || m["contextId"] == "" || m["details"] == nil || m["errors"] == nil {
		t.Fatalf("missing lengthInMinutes: %d %v", code, m)
	}
	if code, m := do(t, mustReq(t, "POST", e.APIURL()+path, tok, `{"name":"A","description":"d","dateStart":"2024-01-04T09:00:00Z","lengthInMinutes":30,"attendeeIds":["old"]}`)); code != 400 ||
		m["messageParams"].(map[string]any)["userId"] != "old" {
		t.Fatalf("inactive attendee: %d %v", code, m)
	}
	body := `{"name":"A","description":"d","dateStart":"2024-01-04T09:00:00+01:00","lengthInMinutes":30,"attendeeIds":["u1","u2"],"facilitatorId":"coach","conversationIds":["c1"]}`
	code, m = do(t, mustReq(t, "POST", e.APIURL()+path, tok, body))
	id, _ := m["id"].(string)
	if code != 201 || len(id) != 36 || m["status"] != "Scheduled" || m["dateStart"] != "2024-01-04T08:00:00.000Z" {
		t.Fatalf("create: %d %v", code, m)
	}
	if c := e.Counts(); c.Creates != 1 || c.Writes() != 1 {
		t.Fatalf("counts %+v", c)
	}
	// The list finds it for an attendee.
	if _, m := get(t, e, tok, path, url.Values{"userIds": {"u2"}}); m["total"] != float64(1) {
		t.Fatalf("list after create: %v", m)
	}
	if code, m := do(t, mustReq(t, "PATCH", e.APIURL()+path+"/nope", tok, `{"name":"B"}`)); code != 404 || m["code"] != "not.found" {
		t.Fatalf("patch unknown: %d %v", code, m)
	}
	if code, _ := do(t, mustReq(t, "PATCH", e.APIURL()+path+"/"+id, tok, `{"lengthInMinutes":0}`)); code != 400 {
		t.Fatalf("patch length 0: %d", code)
	}
	if code, m := do(t, mustReq(t, "PATCH", e.APIURL()+path+"/"+id, tok, `{"description":"new"}`)); code != 200 || m["description"] != "new" || m["name"] != "A" {
		t.Fatalf("patch: %d %v", code, m)
	}
	if code, m := do(t, mustReq(t, "POST", e.APIURL()+path+"/nope/annotations", tok, `{"text":"x","accessType":"Public"}`)); code != 404 || m["code"] != "not.found" {
		t.Fatalf("annotate unknown: %d %v", code, m)
	}
	if code, _ := do(t, mustReq(t, "POST", e.APIURL()+path+"/"+id+"/annotations", tok, `{"text":"x","accessType":"Secret"}`)); code != 400 {
		t.Fatalf("bad accessType: %d", code)
	}
	if code, m := do(t, mustReq(t, "POST", e.APIURL()+path+"/"+id+"/annotations", tok, `{"text":"Well done","accessType":"Private"}`)); code != 201 || m["accessType"] != "Private" {
		t.Fatalf("annotate: %d %v", code, m)
	}
	got := e.Appointments()
	if len(got) != 1 || got[0].Description != "new" || strings.Join(got[0].Attendees, ",") != "u1,u2" || got[0].Facilitator != "coach" ||
		!got[0].DateStart.Equal(time.Date(2024, 1, 4, 8, 0, 0, 0, time.UTC)) || len(got[0].Annotations) != 1 || got[0].Conversations[0] != "c1" {
		t.Fatalf("stored %+v", got)
	}
	if c := e.Counts(); c.Writes() != 3 {
		t.Fatalf("counts %+v", c)
	}
}

func TestUsersList(t *testing.T) {
	e := New(t, Config{})
	for _, id := range []string{"c", "a", "b"} {
		e.AddUsers(User{ID: id, Name: "User " + id, Email: id + "@example.com"})
	}
	e.AddUsers(User{ID: "z", State: "inactive"})
	tok := newToken(t, e)
	code, m := get(t, e, tok, "/api/v2/users", url.Values{"pageSize": {"2"}})
	ents := m["entities"].([]any)
	if code != 200 || m["total"] != float64(3) || m["pageCount"] != float64(2) || m["nextUri"] == nil || len(ents) != 2 ||
		ents[0].(map[string]any)["id"] != "a" || ents[0].(map[string]any)["email"] != "a@example.com" {
		t.Fatalf("users page 1: %d %v", code, m)
	}
	if _, m := get(t, e, tok, "/api/v2/users", url.Values{"state": {"any"}}); m["total"] != float64(4) {
		t.Fatalf("state any: %v", m)
	}
	if code, _ := get(t, e, tok, "/api/v2/users", url.Values{"state": {"gone"}}); code != 400 {
		t.Fatalf("bad state: %d", code)
	}
}
