package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/pipeline"
)

func TestLoginBodyKeys(t *testing.T) {
	for _, tc := range []struct {
		key       string
		want, not []string
	}{
		{"username", []string{"username"}, []string{"userId"}},
		{"userId", []string{"userId"}, []string{"username"}},
		{"both", []string{"userId", "username"}, nil},
	} {
		o := connOptions{Username: "u@x.com", Password: pipeline.NewSecret("pw"), LoginKey: tc.key, Locale: "en", Language: "en", TenantID: "7"}
		b, err := loginBody(o)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range tc.want {
			if m[k] != "u@x.com" {
				t.Errorf("login_key %s: %s = %q", tc.key, k, m[k])
			}
		}
		for _, k := range tc.not {
			if _, ok := m[k]; ok {
				t.Errorf("login_key %s: %s sent", tc.key, k)
			}
		}
		if m["password"] != "pw" || m["language"] != "en" || m["locale"] != "en" || m["tenantId"] != "7" {
			t.Errorf("login_key %s: body %v", tc.key, m)
		}
	}
}

// The reference's answer is invalid JSON (doc error 7); the sessionId is
// still found in it.
func TestSessionIDOfReferenceAnswer(t *testing.T) {
	if json.Valid(calabriotest.AuthorizeResponseVerbatim) {
		t.Fatal("the verbatim authorize answer is valid JSON: the fixture is not the reference's")
	}
	for name, b := range map[string][]byte{"repaired": calabriotest.AuthorizeResponse, "verbatim": calabriotest.AuthorizeResponseVerbatim} {
		if got := sessionID(b); got != "HZ9A274F889D034FD19E399D5321EDFFB0" {
			t.Errorf("%s: sessionId %q", name, got)
		}
	}
	if got := sessionID([]byte(`{"id":2}`)); got != "" {
		t.Errorf("no sessionId: got %q", got)
	}
}

func contactsEmu(t *testing.T, o calabriotest.Options, nDays, perDay int) *calabriotest.Emulator {
	t.Helper()
	if o.Contacts == nil {
		o.Contacts = calabriotest.ExampleContacts(day0, nDays, perDay, 100)
	}
	return calabriotest.New(t, o)
}

func contactRange(e *calabriotest.Emulator, from, to int, kvs ...string) map[string]string {
	return opts(e, append([]string{"start", days(from).Format("2006-01-02"), "end", days(to).Format("2006-01-02")}, kvs...)...)
}

func TestLoginVerbatimAnswerAndLogout(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{AuthVerbatim: true}, 2, 3)
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 2), nil, now)
	if n := len(rows(t, r.out, ContactTable)); n != 6 {
		t.Errorf("%d contacts, want 6", n)
	}
	st := e.Stats()
	if st.Logins != 1 || st.Logouts != 1 || e.ActiveSessions() != 0 {
		t.Errorf("logins %d, logouts %d, active sessions %d; want 1, 1, 0", st.Logins, st.Logouts, e.ActiveSessions())
	}
}

func TestLoginKey(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{LoginKey: "userId", TenantID: "1"}, 1, 1)
	r := run(t, ContactsKind(), contactRange(e, 0, 1, "tenant_id", "1"), nil, now)
	if r.err == nil || !strings.Contains(r.err.Error(), "401") {
		t.Fatalf("login with username where userId is expected: err %v, want a 401", r.err)
	}
	nothingCommitted(t, r.out)
	mustRun(t, ContactsKind(), contactRange(e, 0, 1, "login_key", "userId", "tenant_id", "1"), nil, now)
	mustRun(t, ContactsKind(), contactRange(e, 0, 1, "login_key", "both", "tenant_id", "1"), nil, now)
}

func TestWrongPasswordNeverPrinted(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 1, 1)
	pw := "Wr0ng-Passw0rd-xyz"
	r := run(t, ContactsKind(), contactRange(e, 0, 1, "password", pw), nil, now)
	if r.err == nil {
		t.Fatal("a wrong password logged in")
	}
	if strings.Contains(r.err.Error(), pw) {
		t.Errorf("error shows the password: %v", r.err)
	}
	if !strings.Contains(r.err.Error(), "log in") {
		t.Errorf("error does not say the login failed: %v", r.err)
	}
}

// A session that expires mid-run (after 3 requests) is renewed after its
// 401 (or 403) and every row arrives once.
//
// One contact at a time, every expiry costs one re-login; with contacts in
// flight together, requests refused together share one. (A session must
// outlast the requests in flight: one used up by others before a refused
// request is sent again looks like a login the server does not honour.)
func TestSessionExpiresMidRun(t *testing.T) {
	for _, c := range []struct {
		status, sessionRequests int
		concurrency             string
	}{{http.StatusUnauthorized, 3, "1"}, {http.StatusForbidden, 3, "1"}, {http.StatusUnauthorized, 12, "8"}, {http.StatusForbidden, 12, "8"}} {
		status := c.status
		e := contactsEmu(t, calabriotest.Options{SessionRequests: c.sessionRequests, ExpiredStatus: status}, 10, 4)
		r := mustRun(t, ContactsKind(), contactRange(e, 0, 10, "media", "true", "transcripts", "true", "concurrency", c.concurrency), nil, now)
		uniqueBy(t, rows(t, r.out, ContactTable), "id")
		if n := len(rows(t, r.out, ContactTable)); n != 40 {
			t.Errorf("status %d: %d contacts, want 40", status, n)
		}
		if n := len(rows(t, r.out, MediaTable)); n != 40 {
			t.Errorf("status %d: %d media rows, want 40", status, n)
		}
		st := e.Stats()
		reauths := r.res.Report["reauths"].(int64)
		shared := c.concurrency != "1" && reauths >= 1 && reauths <= int64(st.Expired)
		if st.Expired == 0 || st.Logins < 2 || (reauths != int64(st.Expired) && !shared) {
			t.Errorf("status %d: expired %d, logins %d, reauths %v: the session was not renewed", status, st.Expired, st.Logins, r.res.Report["reauths"])
		}
	}
}

func TestCookieSent(t *testing.T) {
	var bad int
	e := contactsEmu(t, calabriotest.Options{OnRequest: func(r *http.Request) {
		if r.URL.Path != AuthorizePath && !strings.HasPrefix(r.Header.Get("Cookie"), CookieName+"=HZ") {
			bad++
		}
	}}, 1, 1)
	mustRun(t, ContactsKind(), contactRange(e, 0, 1), nil, now)
	if bad != 0 {
		t.Errorf("%d requests without the session cookie", bad)
	}
}

func TestLogoutOnTenantHost(t *testing.T) {
	var deletes []string
	e := contactsEmu(t, calabriotest.Options{OnRequest: func(r *http.Request) {
		if r.Method == http.MethodDelete {
			deletes = append(deletes, r.Host+r.URL.Path)
		}
	}}, 1, 1)
	mustRun(t, ContactsKind(), contactRange(e, 0, 1), nil, now)
	if len(deletes) != 1 || !strings.HasSuffix(deletes[0], AuthorizePath) || !bytes.Contains([]byte(e.URL), []byte(strings.TrimSuffix(deletes[0], AuthorizePath))) {
		t.Errorf("logouts %v, want one DELETE %s on %s", deletes, AuthorizePath, e.URL)
	}
}
