package calabriotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CookieName is the session cookie of the Transcript curl and the example
// (the prose's "hazelcast.sessionID" is not accepted).
const CookieName = "hazelcast.sessionId"

const (
	authorizePath = "/api/rest/authorize"
	exportPrefix  = "/api/rest/dataexplorer/report/"
	requestPrefix = "/api/rest/dataexplorer/report/export/request/"
	contactPath   = "/api/rest/recording/contact"
	mediaPrefix   = "/api/rest/recording/media/export/contact/"
	transcriptURL = "/api/rest/cas/speechtextview"
	fileExport    = "/api/rest/fileexport/"
)

type session struct {
	created time.Time
	uses    int
}

// route finds the handler of a request; e.mu is held.
func (e *Emulator) route(r *http.Request) (string, handler) {
	p, m := r.URL.Path, r.Method
	on := func(name string, fn func(*http.Request) reply, auth bool, methods ...string) (string, handler) {
		for _, want := range methods {
			if m == want {
				return m + " " + name, handler{fn: fn, auth: auth}
			}
		}
		return m + " " + name, handler{fn: func(*http.Request) reply {
			return errorReply(http.StatusMethodNotAllowed, "Method Not Allowed")
		}}
	}
	switch {
	case p == authorizePath && m == http.MethodDelete:
		return on("authorize", e.logout, false, http.MethodDelete)
	case p == authorizePath:
		return on("authorize", e.login, false, http.MethodPost, http.MethodGet)
	case strings.HasPrefix(p, requestPrefix):
		return on("export/request", e.poll, true, http.MethodGet)
	case strings.HasPrefix(p, exportPrefix) && strings.HasSuffix(p, "/export"):
		return on("export", e.export, true, http.MethodPost)
	case p == contactPath || strings.HasPrefix(p, contactPath+"/"):
		return on("contact", e.search, true, http.MethodGet)
	case strings.HasPrefix(p, mediaPrefix):
		return on("media", e.mediaExport, true, http.MethodPost, http.MethodGet)
	case p == transcriptURL:
		return on("speechtextview", e.transcript, true, http.MethodPut)
	case p == textUploadPath || p+"/" == textUploadPath:
		return on("upload/textcontacts", e.uploadTexts, true, http.MethodPost)
	case p == contactUploadPath:
		return on("upload/contacts", e.uploadContacts, true, http.MethodPost)
	case isHistorical(p):
		return on("upload/historical", e.uploadHistorical, true, http.MethodPost)
	case strings.HasPrefix(p, uploadOrgPrefix) && slices.Contains([]string{"groups", "teams", "persons"}, strings.TrimPrefix(p, uploadOrgPrefix)):
		return on("upload/"+strings.TrimPrefix(p, uploadOrgPrefix), e.uploadOrg, true, http.MethodPost)
	case strings.HasPrefix(p, fileExport) && e.org != nil:
		return on("fileexport", e.orgExport, true, http.MethodGet)
	case strings.HasPrefix(p, fileExport):
		return on("fileexport", e.fileExport, true, http.MethodGet)
	}
	return m + " unknown", handler{fn: func(*http.Request) reply { return errorReply(http.StatusNotFound, "Not Found") }}
}

// login checks the JSON credentials and opens a session. The field table
// names the user userId, the POST example username (doc error 1):
// Options.LoginKey says which one is accepted.
func (e *Emulator) login(r *http.Request) reply {
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
		return errorReply(http.StatusBadRequest, "The request body is not a JSON object")
	}
	str := func(k string) string { s, _ := body[k].(string); return s }
	user := ""
	switch e.o.LoginKey {
	case "username", "userId":
		user = str(e.o.LoginKey)
	default:
		if user = str("username"); user == "" {
			user = str("userId")
		}
	}
	if user != e.o.Username || str("password") != e.o.Password || (e.o.TenantID != "" && str("tenantId") != e.o.TenantID) {
		return errorReply(http.StatusUnauthorized, "Invalid user name or password")
	}
	e.nextID++
	id := fmt.Sprintf("HZ%032X", e.nextID)
	e.sessions[id] = &session{created: time.Now()}
	e.issued = append(e.issued, id)
	e.stats.Logins++
	fixture := AuthorizeResponse
	if e.o.AuthVerbatim {
		fixture = AuthorizeResponseVerbatim
	}
	b := bytes.Replace(fixture, []byte("HZ9A274F889D034FD19E399D5321EDFFB0"), []byte(id), 1)
	return reply{status: http.StatusOK, ctype: "application/json", body: b}
}

// logout ends the session of the request's cookie.
func (e *Emulator) logout(r *http.Request) reply {
	c, err := r.Cookie(CookieName)
	if err != nil || e.sessions[c.Value] == nil {
		return errorReply(http.StatusUnauthorized, "Not logged in")
	}
	delete(e.sessions, c.Value)
	e.stats.Logouts++
	return reply{status: http.StatusOK}
}

// checkSession admits a request with a live session; e.mu is held.
func (e *Emulator) checkSession(r *http.Request, now time.Time) (reply, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		e.stats.Expired++
		return errorReply(e.o.ExpiredStatus, "Not logged in"), false
	}
	s := e.sessions[c.Value]
	if s == nil {
		e.stats.Expired++
		return errorReply(e.o.ExpiredStatus, "Not logged in"), false
	}
	s.uses++
	if (e.o.SessionRequests > 0 && s.uses > e.o.SessionRequests) || (e.o.SessionTTL > 0 && now.Sub(s.created) > e.o.SessionTTL) {
		delete(e.sessions, c.Value)
		e.stats.Expired++
		return errorReply(e.o.ExpiredStatus, "Your session has expired"), false
	}
	return reply{}, true
}
