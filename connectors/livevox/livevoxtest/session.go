package livevoxtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

type session struct {
	id    string
	user  *User
	token string
	last  time.Time
}

// valid reports whether the session was used within the rolling window.
func (s *session) valid(now time.Time, idle time.Duration) bool {
	return now.Sub(s.last) < idle
}

// sessionAPI serves POST login and DELETE logout.
func (e *Emulator) sessionAPI(w http.ResponseWriter, r *http.Request, rest string, now time.Time) {
	switch {
	case rest == "login" && r.Method == http.MethodPost:
		e.count("POST session/login")
		e.login(w, r, now)
	case rest == "logout" && r.Method == http.MethodDelete:
		e.count("DELETE session/logout")
		s := e.session(r, now)
		if s == nil {
			e.unauthorized(w, "Invalid session")
			return
		}
		delete(e.sessions, s.id)
		e.stats.Logouts++
		noContent(w)
	default:
		e.count(r.Method + " session/?")
		w.WriteHeader(http.StatusNotFound)
	}
}

func (e *Emulator) login(w http.ResponseWriter, r *http.Request, now time.Time) {
	token := r.Header.Get("LV-Access")
	if token == "" || token != e.o.Token {
		e.unauthorized(w, "Invalid access token")
		return
	}
	var body struct {
		ClientName string `json:"clientName"`
		UserName   string `json:"userName"`
		Password   string `json:"password"`
		Agent      bool   `json:"agent"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		invalid(w, "malformed JSON")
		return
	}
	var user *User
	userID := 0
	for i := range e.o.Users {
		u := &e.o.Users[i]
		if u.ClientName == body.ClientName && u.UserName == body.UserName && u.Password == body.Password &&
			body.Agent == (u.Role == RoleAgent) {
			user, userID = u, 1000+i
		}
	}
	if user == nil {
		e.unauthorized(w, "Invalid login credentials")
		return
	}
	var s *session
	for _, old := range e.sessions {
		if old.user == user && old.token == token && old.valid(now, e.o.SessionIdle) {
			s = old
		}
	}
	if s == nil {
		e.seq++
		s = &session{id: fmt.Sprintf("5eb4ad6c-50b7-45da-8d56-%012x", e.seq), user: user, token: token}
		e.sessions[s.id] = s
		e.issued = append(e.issued, s.id)
		e.stats.NewSessions++
	}
	s.last = now
	e.stats.Logins++
	writeJSON(w, http.StatusOK, map[string]any{
		"sessionId": s.id, "userId": userID,
		"clientId": user.ClientID, "daysUntilPasswordExpires": 90,
	})
}

// session returns the valid session r names in LV-Session and marks it
// used, or nil.
func (e *Emulator) session(r *http.Request, now time.Time) *session {
	s := e.sessions[r.Header.Get("LV-Session")]
	if s == nil {
		return nil
	}
	if !s.valid(now, e.o.SessionIdle) {
		delete(e.sessions, s.id)
		return nil
	}
	s.last = now
	return s
}

func (e *Emulator) unauthorized(w http.ResponseWriter, msg string) {
	e.stats.Unauthorized++
	codeMessage(w, http.StatusUnauthorized, http.StatusUnauthorized, msg)
}

// mayAdminister reports whether u may use the methods without a "User
// Roles" line (create, update, delete, info, skills, add/remove): the
// reference's introduction allows Sysadmin, IT User, Superuser, and
// Manager with the Administer Agents or Access to Agent Editor power.
func mayAdminister(u *User) bool {
	switch u.Role {
	case RoleSysadmin, RoleITUser, RoleSuperuser:
		return true
	case RoleManager:
		return slices.Contains(u.Powers, PowerAdminister) || slices.Contains(u.Powers, PowerEditor)
	}
	return false
}

// configurationAPI authenticates a Configuration API request and routes it
// by its segments after the prefix: "agents", "agents/{id}", ...
func (e *Emulator) configurationAPI(w http.ResponseWriter, r *http.Request, rest string, now time.Time) {
	rt := match(r.Method, rest)
	e.count(r.Method + " " + rt.name)
	if e.expireAfter == 0 {
		clear(e.sessions)
		e.expireAfter = -1
		if e.expireEvery > 0 {
			e.expireAfter = e.expireEvery
		}
	}
	s := e.session(r, now)
	if s == nil {
		e.unauthorized(w, "Invalid session")
		return
	}
	if e.expireAfter > 0 {
		e.expireAfter--
	}
	if rt.handle == nil {
		w.WriteHeader(rt.status)
		return
	}
	if !rt.anyRole && !mayAdminister(s.user) {
		e.gateway(w, http.StatusForbidden, "Access denied")
		return
	}
	rt.handle(e, &call{w: w, r: r, s: s, ids: rt.ids})
}

// call is one routed request.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	s   *session
	ids []int64 // the numeric path segments, in order
}
