package livevox

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestNextOffset(t *testing.T) {
	base, _ := url.Parse("https://api.livevox.com")
	for _, c := range []struct {
		link, resource string
		cur, want      int
		err            string
	}{
		// The reference's example: relative, no leading slash, "agents/?".
		{"configuration/agents/?client=49551&offset=6&count=4", "agents", 2, 6, ""},
		{"/configuration/agents?offset=4&count=4", "agents", 0, 4, ""},
		{"https://API.livevox.com/configuration/v6.0/agents/?offset=1000&count=1000", "agents", 0, 1000, ""},
		{"configuration/agents/skills/?client=4199&offset=5&count=5", "agents/skills", 0, 5, ""},
		{"configuration/agents/Skills?offset=5", "agents/skills", 0, 5, ""}, // doc error 72's capital S
		{"agents/?offset=3", "agents", 0, 3, ""},
		{"https://evil.example/configuration/agents?offset=4", "agents", 0, 0, "another host"},
		{"configuration/agents/skills?offset=4", "agents", 0, 0, "another resource"},
		{"configuration/agents?offset=4", "agents/skills", 0, 0, "another resource"},
		{"configuration/agents/?count=4", "agents", 0, 0, "no offset"},
		{"configuration/agents/?offset=four", "agents", 0, 0, "not a whole number"},
		{"configuration/agents/?offset=4", "agents", 4, 0, "does not move forward"},
		{"configuration/agents/?offset=2", "agents", 4, 0, "does not move forward"},
		{"%zz", "agents", 0, 0, "not a URI"},
	} {
		got, err := nextOffset(c.link, base, c.resource, c.cur)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: %d, %v; want %d", c.link, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %v, want an error with %q", c.link, err, c.err)
		}
	}
}

func TestNextLinkValue(t *testing.T) {
	for raw, want := range map[string]string{"": "", "null": "", `""`: "", `"  "`: "", `"configuration/agents/?offset=4"`: "configuration/agents/?offset=4"} {
		var r json.RawMessage
		if raw != "" {
			r = json.RawMessage(raw)
		}
		if got, err := nextLink(obj{"next": r}.value("next")); err != nil || got != want {
			t.Errorf("next %s: %q %v, want %q", raw, got, err, want)
		}
	}
	if _, err := nextLink(json.RawMessage(`4`)); err == nil {
		t.Errorf("a number as next link was accepted")
	}
}

func TestScrubRemovesPasswords(t *testing.T) {
	raw := []byte(`{"loginId":"A","password":"Secret123","nested":{"newPassword":"x1234567"},"passwordLastModified":1,"list":[{"PASSWORD":"y"}]}`)
	got := string(scrub(raw))
	for _, bad := range []string{"Secret123", "x1234567", `"y"`, "newPassword", "PASSWORD"} {
		if strings.Contains(got, bad) {
			t.Errorf("scrubbed record %s still holds %s", got, bad)
		}
	}
	if !strings.Contains(got, `"passwordLastModified":1`) || !strings.Contains(got, `"loginId":"A"`) {
		t.Errorf("scrub removed too much: %s", got)
	}
	clean := []byte(`{"loginId": "B",  "lastName": "x"}`)
	if string(scrub(clean)) != string(clean) {
		t.Errorf("a record without passwords was rewritten")
	}
	if got := string(scrub([]byte(`{"password":"abc`))); strings.Contains(got, "abc") {
		t.Errorf("broken record with a password kept it: %s", got)
	}
}
