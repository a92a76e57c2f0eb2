package livevox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// lister walks one list (List Agents or List Agent Skills) page by page.
type lister struct {
	resource string // "agents" or "agents/skills"
	key      string // the array's key: "agent" or "agentSkill"
	offset   int
	page     int // pages fetched so far
	done     bool
}

// page is one fetched page.
type page struct {
	source string // "GET /configuration/agents page 2", for rejects
	items  []json.RawMessage
	empty  bool // no items but a next link: the list ended early
}

// next fetches l's next page and advances l: to the offset its next link
// names, or to the end when next is absent, blank or null.
func (c *client) next(ctx context.Context, l *lister) (page, error) {
	l.page++
	p := page{source: fmt.Sprintf("GET %s page %d", c.path(l.resource), l.page)}
	q := url.Values{"count": {strconv.Itoa(c.o.PageSize)}, "offset": {strconv.Itoa(l.offset)}}
	if c.o.ClientID != "" {
		q.Set("client", c.o.ClientID)
	}
	body, err := c.get(ctx, l.resource, q)
	if err != nil {
		return p, fmt.Errorf("livevox: list %s page %d: %w", l.resource, l.page, err)
	}
	o, err := parseObj(body)
	if err != nil {
		return p, fmt.Errorf("livevox: %s: %w", p.source, err)
	}
	if v := o.value(l.key); v != nil {
		if p.items, err = asArray(v); err != nil {
			return p, fmt.Errorf("livevox: %s: %s: %w", p.source, l.key, err)
		}
	}
	link, err := nextLink(o.value("next"))
	if err != nil {
		return p, fmt.Errorf("livevox: %s: next: %w", p.source, err)
	}
	switch {
	case link == "":
		l.done = true
	case len(p.items) == 0:
		// A page with nothing on it cannot be followed safely: its link may
		// repeat forever. The list ends here; the report counts it.
		l.done, p.empty = true, true
	default:
		off, err := nextOffset(link, c.o.BaseURL, l.resource, l.offset)
		if err != nil {
			return p, fmt.Errorf("livevox: %s: %w", p.source, err)
		}
		l.offset = off
	}
	return p, nil
}

// nextLink reads the next value: absent, null and blank all end the list
// (SPEC.md 5.1); anything but a string is an error.
func nextLink(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", nil
	}
	s, err := asString(raw)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// nextOffset resolves a next link robustly (doc error 73). The reference's
// link is relative with no leading slash and an odd "agents/?" form
// ("configuration/agents/?client=49551&offset=6&count=4"); links may also
// be rooted, absolute or carry a version segment. The connector does not
// request the link as given: it checks that it names the same list (its
// path ends with the list's resource, ignoring case, a trailing slash and
// anything before, such as a version segment) on the same host, and
// takes its offset, which counts items. The next request is then built
// like the first, so the session header never goes to another host and
// the trailing-slash form never meets a server that would 404 it.
//
// cur is the offset of the page the link came from; an offset that does
// not move forward is an error, as it would loop.
func nextOffset(link string, base *url.URL, resource string, cur int) (int, error) {
	ref, err := url.Parse(link)
	if err != nil {
		return 0, errors.New("next link is not a URI")
	}
	if ref.Host != "" && !strings.EqualFold(ref.Host, base.Host) {
		return 0, fmt.Errorf("next link points to another host (%s)", ref.Host)
	}
	if ref.Scheme != "" && ref.Host == "" {
		return 0, errors.New("next link is not a URI")
	}
	p := strings.ToLower(strings.Trim(ref.Path, "/"))
	want := strings.ToLower(resource)
	if p != want && !strings.HasSuffix(p, "/"+want) {
		return 0, fmt.Errorf("next link names another resource (%s, want .../%s)", ref.Path, want)
	}
	v := ref.Query().Get("offset")
	off, err := strconv.Atoi(v)
	switch {
	case v == "":
		return 0, errors.New("next link has no offset")
	case err != nil || off < 0:
		return 0, errors.New("next link's offset is not a whole number")
	case off <= cur:
		return 0, fmt.Errorf("next link does not move forward (offset %d after %d)", off, cur)
	}
	return off, nil
}
