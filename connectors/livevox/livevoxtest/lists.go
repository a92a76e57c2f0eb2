package livevoxtest

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxCount is the reference's hard cap on count.
const maxCount = 1000

// paging reads the required count and offset; it answers 400 itself when
// they are missing or invalid. A count above the cap is served as the cap.
func paging(c *call) (count, offset int, ok bool) {
	q := c.r.URL.Query()
	for _, p := range []struct {
		name string
		min  int
		dst  *int
	}{{"count", 1, &count}, {"offset", 0, &offset}} {
		v := q.Get(p.name)
		if v == "" {
			invalid(c.w, p.name+" is required")
			return 0, 0, false
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < p.min {
			invalid(c.w, p.name+" must be a whole number from "+strconv.Itoa(p.min))
			return 0, 0, false
		}
		*p.dst = n
	}
	return min(count, maxCount), offset, true
}

// clientOf is the client a request names in ?client=, or the session's.
// The Create Agent Skill example's "?=4199" has no key and names none.
func clientOf(c *call) (int64, bool) {
	v := c.r.URL.Query().Get("client")
	if v == "" {
		return c.s.user.ClientID, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		invalid(c.w, "client must be a LiveVox client id")
		return 0, false
	}
	return n, true
}

// page sends one page of items under key, with a next link when more
// follow. resource is "agents", "agents/skills" or "agents/search".
func (e *Emulator) page(c *call, key, resource string, items [][]byte, count, offset int, last LastPage) {
	var b bytes.Buffer
	b.WriteString(`{"`)
	b.WriteString(key)
	b.WriteString(`":[`)
	end := min(offset+count, len(items))
	for i := offset; i < end; i++ {
		if i > offset {
			b.WriteByte(',')
		}
		b.Write(items[i])
	}
	b.WriteByte(']')
	if end < len(items) {
		b.WriteString(`,"next":"`)
		b.WriteString(e.nextLink(c.r, resource, end, count))
		b.WriteByte('"')
	} else {
		if e.o.LastPage != LastPageDoc {
			last = e.o.LastPage
		}
		switch last {
		case LastPageBlank:
			b.WriteString(`,"next":""`)
		case LastPageNull:
			b.WriteString(`,"next":null`)
		}
	}
	b.WriteByte('}')
	writeRaw(c.w, http.StatusOK, b.Bytes())
}

// nextLink is the URI of the page at offset, in the configured form. The
// query keeps the request's client and puts offset before count, as the
// example does.
func (e *Emulator) nextLink(r *http.Request, resource string, offset, count int) string {
	q := ""
	if cl := r.URL.Query().Get("client"); cl != "" {
		q = "client=" + url.QueryEscape(cl) + "&"
	}
	q += "offset=" + strconv.Itoa(offset) + "&count=" + strconv.Itoa(count)
	path := strings.TrimPrefix(e.o.ConfigurationPrefix, "/") + "/" + resource
	switch e.o.NextLink {
	case LinkRooted:
		return "/" + path + "?" + q
	case LinkAbsolute:
		return e.URL + "/" + path + "?" + q
	}
	return path + "/?" + q
}

func (e *Emulator) listAgents(c *call) {
	count, offset, ok := paging(c)
	if !ok {
		return
	}
	client, ok := clientOf(c)
	if !ok {
		return
	}
	var items [][]byte
	for _, a := range e.data.agents {
		if a.clientID == client {
			items = append(items, a.listItem())
		}
	}
	e.page(c, "agent", "agents", items, count, offset, LastPageAbsent)
}

func (e *Emulator) searchAgents(c *call) {
	count, offset, ok := paging(c)
	if !ok {
		return
	}
	client, ok := clientOf(c)
	if !ok {
		return
	}
	var body map[string]string
	if !decodeStrict(c, &body) {
		return
	}
	var field, want string
	n := 0
	for _, k := range []string{"loginId", "lastName", "phoneNumber"} {
		if v := body[k]; v != "" {
			field, want = k, strings.ToLower(v)
			n++
		}
	}
	if n != 1 {
		invalid(c.w, "exactly one of phone, loginId or lastName is required")
		return
	}
	var items [][]byte
	for _, a := range e.data.agents {
		if a.clientID != client || a.listOnly != nil {
			continue
		}
		var hit bool
		switch field {
		case "loginId", "lastName":
			hit = strings.Contains(strings.ToLower(a.str(field)), want)
		default:
			hit = a.str("phone") == body["phoneNumber"]
		}
		if hit {
			items = append(items, a.listItem())
		}
	}
	e.page(c, "agent", "agents/search", items, count, offset, LastPageAbsent)
}

func (e *Emulator) agentInfo(c *call) {
	client, ok := clientOf(c)
	if !ok {
		return
	}
	n := 0
	for _, a := range e.data.agents {
		if a.clientID == client && a.listOnly == nil {
			n++
		}
	}
	writeJSON(c.w, http.StatusOK, map[string]int64{"size": int64(n), "lastModified": e.data.agentsMod})
}

func (e *Emulator) listSkills(c *call) {
	count, offset, ok := paging(c)
	if !ok {
		return
	}
	client, ok := clientOf(c)
	if !ok {
		return
	}
	var items [][]byte
	for _, s := range e.data.skills {
		if s.clientID == client {
			items = append(items, mustJSON(map[string]any{"id": s.id, "name": s.name}))
		}
	}
	e.page(c, "agentSkill", "agents/skills", items, count, offset, LastPageNull)
}

func (e *Emulator) skillInfo(c *call) {
	client, ok := clientOf(c)
	if !ok {
		return
	}
	n := 0
	for _, s := range e.data.skills {
		if s.clientID == client {
			n++
		}
	}
	writeJSON(c.w, http.StatusOK, map[string]int64{"size": int64(n), "lastModified": e.data.skillsMod})
}

func nowMillis() int64 { return time.Now().UnixMilli() }
