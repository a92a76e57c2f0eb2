package livevoxtest

import (
	"net/http"
	"strconv"
	"strings"
)

// route is where a request goes.
type route struct {
	name    string // for Stats.Routes, such as "agents/{id}"
	handle  func(*Emulator, *call)
	anyRole bool // the method's "User Roles" include Manager and Agent
	ids     []int64
	status  int // when handle is nil: 404 or 405
}

type endpoint struct {
	name    string
	pattern []string // literal segments; "{id}" is a number
	methods map[string]func(*Emulator, *call)
	anyRole map[string]bool
}

// endpoints are the reference's methods. A literal "skills" matches any
// case: the List Agent Skills method line spells it "/Skills" (doc error 72).
var endpoints = []endpoint{
	{"agents", []string{"agents"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).listAgents, "POST": (*Emulator).createAgent},
		map[string]bool{"GET": true}},
	{"agents/search", []string{"agents", "search"},
		map[string]func(*Emulator, *call){"POST": (*Emulator).searchAgents}, map[string]bool{"POST": true}},
	{"agents/info", []string{"agents", "info"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).agentInfo}, nil},
	{"agents/skills", []string{"agents", "skills"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).listSkills, "POST": (*Emulator).createSkill}, nil},
	{"agents/skills/info", []string{"agents", "skills", "info"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).skillInfo}, nil},
	{"agents/skills/{id}", []string{"agents", "skills", "{id}"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).readSkill, "PUT": (*Emulator).updateSkill, "DELETE": (*Emulator).deleteSkill}, nil},
	{"agents/{id}", []string{"agents", "{id}"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).readAgent, "PUT": (*Emulator).updateAgent, "DELETE": (*Emulator).deleteAgent},
		map[string]bool{"GET": true}},
	{"agents/{id}/related", []string{"agents", "{id}", "related"},
		map[string]func(*Emulator, *call){"GET": (*Emulator).related}, map[string]bool{"GET": true}},
	{"agents/{id}/skills/{id}", []string{"agents", "{id}", "skills", "{id}"},
		map[string]func(*Emulator, *call){"PUT": (*Emulator).addAgentSkill, "DELETE": (*Emulator).removeAgentSkill}, nil},
	{"agents/{id}/services/{id}", []string{"agents", "{id}", "services", "{id}"},
		map[string]func(*Emulator, *call){"PUT": (*Emulator).addService, "DELETE": (*Emulator).removeService}, nil},
}

// match finds the endpoint of rest, the path after the prefix. Empty
// segments are ignored, so "agents/" (the next link's form) is "agents".
func match(method, rest string) route {
	var segs []string
	for _, s := range strings.Split(rest, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	for _, ep := range endpoints {
		ids, ok := fit(ep.pattern, segs)
		if !ok {
			continue
		}
		h := ep.methods[method]
		if h == nil {
			return route{name: ep.name, status: http.StatusMethodNotAllowed}
		}
		return route{name: ep.name, handle: h, anyRole: ep.anyRole[method], ids: ids}
	}
	return route{name: "?", status: http.StatusNotFound}
}

func fit(pattern, segs []string) ([]int64, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var ids []int64
	for i, p := range pattern {
		if p == "{id}" {
			n, err := strconv.ParseInt(segs[i], 10, 64)
			if err != nil {
				return nil, false
			}
			ids = append(ids, n)
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return ids, true
}
