package calabriotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contact is a recorded contact. Its search answer is the reference's
// example (repaired) with the contact's own id, startTime, links and
// metadata, and Fields laid over it.
type Contact struct {
	ID        int64
	StartTime int64 // epoch ms
	Metadata  map[string]string
	// Fields replace or add top-level fields of the example; a nil value
	// removes one.
	Fields map[string]any
}

// ExampleContacts makes perDay contacts on each of days days from from
// (GMT), ids from firstID, each with two metadata keys.
func ExampleContacts(from time.Time, days, perDay int, firstID int64) []Contact {
	var out []Contact
	id := firstID
	for d := range days {
		day := from.UTC().Truncate(24 * time.Hour).Add(time.Duration(d) * 24 * time.Hour)
		for i := range perDay {
			start := day.Add(time.Duration(i+1) * time.Minute).UnixMilli()
			out = append(out, Contact{ID: id, StartTime: start,
				Metadata: map[string]string{"phone": fmt.Sprintf("555-%04d", id%10000), "customerNo": strconv.FormatInt(1000+id, 10)}})
			id++
		}
	}
	return out
}

// object renders a contact as the search answers it.
func (c Contact) object(expand bool) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(ContactExample, &m); err != nil {
		panic("calabriotest: contact example: " + err.Error())
	}
	id := strconv.FormatInt(c.ID, 10)
	m["id"] = c.ID
	m["startTime"] = c.StartTime
	m["recordingUrl"] = "/api/rest/recording/contact/" + id + "/recording"
	m["evaluation"].(map[string]any)["$ref"] = "/api/rest/recording/contact/" + id + "/eval/1"
	if expand {
		md := map[string]any{}
		for k, v := range c.Metadata {
			md[k] = v
		}
		m["metadata"] = md
	} else {
		m["metadata"] = map[string]any{"$ref": "/api/rest/recording/contact/" + id + "/metadata/"}
	}
	for k, v := range c.Fields {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// search is GET /api/rest/recording/contact and /contact/<id>.
func (e *Emulator) search(r *http.Request) reply {
	expand := false
	for _, v := range r.URL.Query()["expand"] {
		expand = expand || v == "metadata"
	}
	if rest := strings.TrimPrefix(r.URL.Path, contactPath); rest != "" {
		id, err := strconv.ParseInt(strings.Trim(rest, "/"), 10, 64)
		for _, c := range e.o.Contacts {
			if err == nil && c.ID == id {
				return jsonReply(http.StatusOK, c.object(expand))
			}
		}
		return errorReply(http.StatusNotFound, "Contact not found")
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	begin, end := today.AddDate(0, 0, -60), today // the documented defaults
	q := r.URL.Query()
	for name, t := range map[string]*time.Time{"beginDate": &begin, "endDate": &end} {
		if v := q.Get(name); v != "" {
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return errorReply(http.StatusBadRequest, name+" must be YYYY-MM-DD")
			}
			*t = d
		}
	}
	var match []Contact
	for _, c := range e.o.Contacts {
		if c.StartTime >= begin.UnixMilli() && c.StartTime < end.UnixMilli() {
			match = append(match, c)
		}
	}
	if len(match) == 0 {
		// "If there are no contacts that meet the given parameters ...
		// the system returns a 404 Not Found response."
		return errorReply(http.StatusNotFound, "No contacts found")
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].ID < match[j].ID })
	out := make([]map[string]any, len(match))
	for i, c := range match {
		out[i] = c.object(expand)
	}
	return jsonReply(http.StatusOK, out)
}

// Media formats and their content types (the reference gives none).
var mediaTypes = map[string]string{"WEBM": "video/webm", "WEBM_VP8": "video/webm", "WEBM_VP9": "video/webm",
	"WAV": "audio/wav", "OPUS": "audio/ogg"}

type mediaState struct {
	posted bool
	gets   int
}

// MediaBytes is the media file the emulator serves for a contact.
func (e *Emulator) MediaBytes(id int64, format string) []byte {
	seed := []byte(fmt.Sprintf("RIFF contact %d %s ", id, format))
	return bytes.Repeat(seed, e.o.MediaSize/len(seed)+1)[:e.o.MediaSize]
}

// mediaExport is POST and GET /api/rest/recording/media/export/contact/<id>?type=<format>.
func (e *Emulator) mediaExport(r *http.Request) reply {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, mediaPrefix), 10, 64)
	found := false
	for _, c := range e.o.Contacts {
		found = found || (err == nil && c.ID == id)
	}
	if !found || e.o.NoMedia[id] {
		return errorReply(http.StatusNotFound, "Requested contact does not exist!")
	}
	format := r.URL.Query().Get("type")
	ctype, ok := mediaTypes[format]
	if !ok {
		return errorReply(http.StatusBadRequest, "type must be one of WEBM, WEBM_VP8, WEBM_VP9, WAV, OPUS")
	}
	key := fmt.Sprintf("%d/%s", id, format)
	st := e.media[key]
	if st == nil {
		st = &mediaState{}
		e.media[key] = st
	}
	if r.Method == http.MethodPost {
		st.posted, st.gets = true, 0
		return reply{status: http.StatusOK, ctype: "application/json", body: MediaPostResponse}
	}
	if !st.posted || st.gets < e.o.MediaReadyAfter {
		st.gets++
		e.nextID++
		ext := strings.ToLower(strings.SplitN(format, "_", 2)[0])
		return jsonReply(e.o.MediaNotReadyStatus, map[string]string{
			"errorMessage": fmt.Sprintf("The following file does not exist or may have expired: c%d.%s", id, ext),
			"requestId":    fmt.Sprintf("31b466da-cbd2-42fe-bb87-%012d", e.nextID),
		})
	}
	return reply{status: http.StatusOK, ctype: ctype, body: e.MediaBytes(id, format)}
}

// TranscriptOf is the transcript the emulator answers for a ccrid (the
// reference does not show the answer; this shape is the emulator's).
func TranscriptOf(ccrid int64, root bool) map[string]any {
	return map[string]any{"ccrid": ccrid, "isRootRecording": root, "transcript": []map[string]any{
		{"speaker": "agent", "startMs": 0, "text": "Thank you for calling."},
		{"speaker": "customer", "startMs": 1800, "text": "Hi, I have a question about my bill."},
	}}
}

// transcript is PUT /api/rest/cas/speechtextview.
func (e *Emulator) transcript(r *http.Request) reply {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return errorReply(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	var b struct {
		CCRID           *int64          `json:"ccrid"`
		IsRootRecording json.RawMessage `json:"isRootRecording"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if json.Unmarshal(raw, &b) != nil || b.CCRID == nil {
		return errorReply(http.StatusBadRequest, "ccrid is required")
	}
	var root bool
	switch string(b.IsRootRecording) {
	case `"false"`, `false`:
	case `"true"`, `true`:
		root = true
	default:
		return errorReply(http.StatusBadRequest, "isRootRecording is required")
	}
	found, recorded := false, false
	for _, c := range e.o.Contacts {
		if c.ID == *b.CCRID {
			found, recorded = true, c.Fields["audioUploaded"] != false || c.Fields["screenUploaded"] != false
		}
	}
	if !found || !recorded || e.o.NoTranscript[*b.CCRID] {
		return errorReply(http.StatusNotFound, "Transcript not found")
	}
	return jsonReply(http.StatusOK, TranscriptOf(*b.CCRID, root))
}

// fileExport is GET /api/rest/fileexport/<importType>.
func (e *Emulator) fileExport(r *http.Request) reply {
	typ := strings.TrimPrefix(r.URL.Path, fileExport)
	body, ok := e.o.FileExports[typ]
	if !ok {
		return errorReply(http.StatusBadRequest, "Unknown import type")
	}
	return reply{status: http.StatusOK, ctype: "text/csv;charset=UTF-8", body: []byte(body)}
}
