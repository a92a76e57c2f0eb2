package calabriotest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Bulk Organization Import endpoints and the org export, over one
// model of the tenant's groups, teams and persons (UseOrg). The reference
// documents the upload CSVs (exact header for groups and teams, MM/DD/YYYY
// dates, True/False, id 0 for a new row, name as the identity of groups and
// teams, email, adLogin or acdId as the identity of persons, identifiers
// never blanked) but not the answers: a valid upload is answered 200
// {"status":"SUCCESS","responseText":"The file was successfully imported"}
// (the Import API's documented success body), an invalid one 400 with the
// emulator's error body naming the line, and nothing of it is applied.

const uploadOrgPrefix = "/api/upload/"

// OrgGroup is a group or a team of the model (Parent and Productivity are
// the team's).
type OrgGroup struct {
	ID                     int
	Name                   string
	Activated, Deactivated time.Time
	Parent                 string // parent group's name (teams)
	Productivity           bool   // teams
}

// OrgPerson is a person of the model: the documented upload columns by
// their keys, dates as MM/DD/YYYY, lists semicolon-joined as sent.
type OrgPerson struct {
	ID     int
	Fields map[string]string
}

// Org is the model: groups, teams and persons by id.
type Org struct {
	Groups  []OrgGroup
	Teams   []OrgGroup
	Persons []OrgPerson
	nextID  int
}

var groupHeader = []string{"id", "name", "activatedDate", "deactivatedDate"}
var teamHeader = []string{"id", "name", "activatedDate", "deactivatedDate", "parentGroupId", "productivityCompilation"}

// PersonColumns are the persons upload columns in the documented order.
var PersonColumns = []string{"personId", "email", "firstName", "lastName", "timeZone", "adLogin", "memberGroup",
	"activated", "deactivated", "locale", "roles", "scopegroups", "scopeteams", "enableScheduling", "views",
	"mainView", "companyStartDate", "companyEndDate", "departmentStartDate", "employeeId", "rank", "qmViews",
	"isReconcileOnly", "scopetenant", "acdId", "acdServerId"}

var personIdentity = []string{"email", "adLogin", "acdId"}

// UseOrg makes the org endpoints work on a copy of seed: the uploads
// change it and the export shows it (instead of Options.FileExports).
func (e *Emulator) UseOrg(seed Org) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := Org{Groups: slices.Clone(seed.Groups), Teams: slices.Clone(seed.Teams)}
	for _, p := range seed.Persons {
		f := map[string]string{}
		for k, v := range p.Fields {
			f[k] = v
		}
		o.Persons = append(o.Persons, OrgPerson{ID: p.ID, Fields: f})
	}
	o.nextID = 100
	for _, g := range append(slices.Clone(o.Groups), o.Teams...) {
		o.nextID = max(o.nextID, g.ID+1)
	}
	for _, p := range o.Persons {
		o.nextID = max(o.nextID, p.ID+1)
	}
	e.org = &o
}

// Org returns a copy of the model (nil before UseOrg).
func (e *Emulator) Org() *Org {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.org == nil {
		return nil
	}
	o := Org{Groups: slices.Clone(e.org.Groups), Teams: slices.Clone(e.org.Teams)}
	for _, p := range e.org.Persons {
		f := map[string]string{}
		for k, v := range p.Fields {
			f[k] = v
		}
		o.Persons = append(o.Persons, OrgPerson{ID: p.ID, Fields: f})
	}
	return &o
}

// uploadOrg is POST /api/upload/groups|teams|persons.
func (e *Emulator) uploadOrg(r *http.Request) reply {
	typ := strings.TrimPrefix(r.URL.Path, uploadOrgPrefix)
	if e.org == nil {
		return errorReply(http.StatusInternalServerError, "the emulator's org model is not in use (UseOrg)")
	}
	data, name, err := onlyFilePart(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	if !strings.EqualFold(pathExt(name), ".csv") {
		return errorReply(http.StatusBadRequest, "Unsupported file type: "+name)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return errorReply(http.StatusBadRequest, "Invalid CSV: "+err.Error())
	}
	if len(rows) == 0 {
		return errorReply(http.StatusBadRequest, "The file is empty")
	}
	next := *e.org
	next.Groups, next.Teams = slices.Clone(e.org.Groups), slices.Clone(e.org.Teams)
	next.Persons = nil
	for _, p := range e.org.Persons {
		f := map[string]string{}
		for k, v := range p.Fields {
			f[k] = v
		}
		next.Persons = append(next.Persons, OrgPerson{ID: p.ID, Fields: f})
	}
	switch typ {
	case "groups":
		err = next.importGroups(rows, false)
	case "teams":
		err = next.importGroups(rows, true)
	case "persons":
		err = next.importPersons(rows)
	default:
		return errorReply(http.StatusNotFound, "Not Found")
	}
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	*e.org = next
	return jsonReply(http.StatusOK, map[string]string{"status": "SUCCESS", "responseText": "The file was successfully imported"})
}

// filePart is one file of a multipart/form-data upload: its base name
// (folders dropped, as the API flattens them) and its bytes.
type filePart struct {
	name string
	data []byte
}

// fileParts reads every file part of a multipart/form-data upload.
func fileParts(r *http.Request) ([]filePart, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, fmt.Errorf("Content-Type must be multipart/form-data")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var out []filePart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("Invalid multipart body: %v", err)
		}
		if p.FileName() == "" {
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("Invalid multipart body: %v", err)
		}
		out = append(out, filePart{name: path.Base(strings.ReplaceAll(p.FileName(), `\`, "/")), data: data})
	}
}

// onlyFilePart reads the one file part of a multipart/form-data upload.
func onlyFilePart(r *http.Request) ([]byte, string, error) {
	parts, err := fileParts(r)
	switch {
	case err != nil:
		return nil, "", err
	case len(parts) == 0:
		return nil, "", fmt.Errorf("No file was uploaded")
	case len(parts) > 1:
		return nil, "", fmt.Errorf("Only one file may be uploaded")
	}
	return parts[0].data, parts[0].name, nil
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

const importDate = "01/02/2006"

// date reads a zero-padded MM/DD/YYYY date; empty means def.
func date(v string, def time.Time, line int, col string) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(importDate, v)
	if err != nil || len(v) != len(importDate) {
		return time.Time{}, fmt.Errorf("Line %d: %s must be a date in the format MM/DD/YYYY", line, col)
	}
	return t, nil
}

var openEnded = time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)

func (o *Org) importGroups(rows [][]string, teams bool) error {
	want := groupHeader
	list := &o.Groups
	if teams {
		want, list = teamHeader, &o.Teams
	}
	if !slices.Equal(rows[0], want) {
		return fmt.Errorf("The column headers must be exactly %s", strings.Join(want, ","))
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for i, row := range rows[1:] {
		line := i + 2
		id, err := strconv.Atoi(row[0])
		if err != nil || id < 0 {
			return fmt.Errorf("Line %d: id must be a whole number", line)
		}
		g := OrgGroup{Name: row[1]}
		if g.Name == "" || len([]rune(g.Name)) > 60 {
			return fmt.Errorf("Line %d: name is required, at most 60 characters", line)
		}
		if g.Activated, err = date(row[2], today, line, "activatedDate"); err != nil {
			return err
		}
		if row[3] == "" {
			return fmt.Errorf("Line %d: deactivatedDate is required", line)
		}
		if g.Deactivated, err = date(row[3], time.Time{}, line, "deactivatedDate"); err != nil {
			return err
		}
		if teams {
			g.Parent = row[4]
			if !slices.ContainsFunc(o.Groups, func(p OrgGroup) bool { return p.Name == g.Parent }) {
				return fmt.Errorf("Line %d: parentGroupId: no group named %q", line, g.Parent)
			}
			switch row[5] {
			case "True", "":
				g.Productivity = true
			case "False":
			default:
				return fmt.Errorf("Line %d: productivityCompilation must be True or False", line)
			}
		}
		at := slices.IndexFunc(*list, func(x OrgGroup) bool { return x.Name == g.Name })
		switch {
		case at >= 0:
			g.ID = (*list)[at].ID
			(*list)[at] = g
		case id != 0:
			return fmt.Errorf("Line %d: id %d does not exist; new rows must use 0", line, id)
		default:
			g.ID = o.nextID
			o.nextID++
			*list = append(*list, g)
		}
	}
	return nil
}

func (o *Org) importPersons(rows [][]string) error {
	head := rows[0]
	last := -1
	for _, h := range head {
		i := slices.Index(PersonColumns, h)
		if i < 0 {
			return fmt.Errorf("Unknown column %s", h)
		}
		if i <= last {
			return fmt.Errorf("Column %s is out of the documented order", h)
		}
		last = i
	}
	for _, need := range []string{"personId", "email", "firstName", "lastName"} {
		if !slices.Contains(head, need) {
			return fmt.Errorf("Column %s is required", need)
		}
	}
	for i, row := range rows[1:] {
		line := i + 2
		in := map[string]string{}
		for j, h := range head {
			in[h] = row[j]
		}
		if err := checkPerson(in, line); err != nil {
			return err
		}
		at := o.matchPerson(in)
		if at == -2 {
			return fmt.Errorf("Line %d: the identifiers match different persons", line)
		}
		if at < 0 {
			if id, _ := strconv.Atoi(in["personId"]); id != 0 {
				return fmt.Errorf("Line %d: personId %d does not exist; new persons must use 0", line, id)
			}
			p := OrgPerson{ID: o.nextID, Fields: map[string]string{"roles": "Agent"}}
			o.nextID++
			for k, v := range in {
				if k != "personId" && v != "" {
					p.Fields[k] = v
				}
			}
			o.Persons = append(o.Persons, p)
			continue
		}
		p := o.Persons[at]
		for k, v := range in {
			if k == "personId" || (v == "" && slices.Contains(personIdentity, k)) {
				continue // an identifier is never blanked
			}
			if v == "" {
				delete(p.Fields, k)
				continue
			}
			p.Fields[k] = v
		}
	}
	return nil
}

func checkPerson(in map[string]string, line int) error {
	for _, f := range []struct {
		key  string
		max  int
		need bool
	}{{"email", 254, true}, {"firstName", 50, true}, {"lastName", 50, true}, {"adLogin", 50, false}} {
		v := in[f.key]
		if f.need && v == "" {
			return fmt.Errorf("Line %d: %s is required", line, f.key)
		}
		if len([]rune(v)) > f.max {
			return fmt.Errorf("Line %d: %s is longer than %d characters", line, f.key, f.max)
		}
	}
	for _, k := range []string{"activated", "deactivated", "companyStartDate", "companyEndDate", "departmentStartDate"} {
		if _, err := date(in[k], time.Time{}, line, k); err != nil {
			return err
		}
	}
	for _, k := range []string{"enableScheduling", "isReconcileOnly", "scopetenant"} {
		if v := in[k]; v != "" && v != "True" && v != "False" && v != "TRUE" && v != "FALSE" {
			return fmt.Errorf("Line %d: %s must be True or False", line, k)
		}
	}
	if strings.EqualFold(in["enableScheduling"], "True") && (in["acdId"] == "" || in["acdServerId"] == "") {
		return fmt.Errorf("Line %d: acdId and acdServerId are required when enableScheduling is True", line)
	}
	return nil
}

// matchPerson finds the person a row names: by personId, else by email,
// adLogin or acdId; -1 for none, -2 when identifiers name different
// persons.
func (o *Org) matchPerson(in map[string]string) int {
	if id, _ := strconv.Atoi(in["personId"]); id != 0 {
		if at := slices.IndexFunc(o.Persons, func(p OrgPerson) bool { return p.ID == id }); at >= 0 {
			return at
		}
	}
	found := -1
	for _, k := range personIdentity {
		v := in[k]
		if v == "" {
			continue
		}
		at := slices.IndexFunc(o.Persons, func(p OrgPerson) bool { return strings.EqualFold(p.Fields[k], v) })
		if at < 0 {
			continue
		}
		if found >= 0 && found != at {
			return -2
		}
		found = at
	}
	return found
}
