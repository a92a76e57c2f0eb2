package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

// The reference's contact example (repaired: doc error 43) decodes to the
// documented values.
func TestContactReferenceExample(t *testing.T) {
	if json.Valid(calabriotest.ContactExampleVerbatim) {
		t.Fatal("the verbatim contact example is valid JSON: the fixture is not the reference's")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := rowbuild.NewBuilder(mem, Contact.Schema)
	defer b.Release()
	c, meta, err := stageContact(b, calabriotest.ContactExample, 19000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.id != 1 || c.audio == nil || !*c.audio || c.video == nil || !*c.video || len(meta) != 0 {
		t.Fatalf("contact %+v, metadata %v", c, meta)
	}
	b.Commit()
	rec := b.NewBatch()
	defer rec.Release()
	want := map[string]any{
		"id": int64(1), "start_time": int64(1239308710000), "tz": "America/Chicago", "call_duration_ms": int64(15000),
		"ani": "1581", "dnis": "2111", "icm_call_id": "19291093", "assoc_call_id": "290275383991253", "hr": false,
		"training": false, "audio_uploaded": true, "screen_uploaded": true, "recording_url": "/api/rest/recording/contact/1/recording",
		"eval_form_name": "form1", "eval_form_ref": "/api/rest/recording/evalform/5", "team_name": "team1",
		"team_display_id": "0.4", "group_name": "group1", "agent_username": "bunkowm", "agent_first_name": "Mark",
		"agent_last_name": "Bunkowske", "agent_display_id": "0.1", "agent_ref": "/api/rest/recording/person/1",
		"evaluator_username": "sillarj", "evaluation_state_id": int64(1), "evaluation_score": float64(90),
		"quality_reason_text": "First Call of Day", "quality_reason_id": int64(1), "quality_reason_key": "rec_reason_what_first",
		"metadata_ref": "/api/rest/recording/contact/1/metadata/", "archive_wf_ref": "/api/rest/recording/workflow/265",
		"quality_wf_ref": "/api/rest/recording/workflow/266", "extra_json": nil,
	}
	for name, v := range want {
		idx := rec.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("no column %s", name)
		}
		col := rec.Column(idx[0])
		var got any
		if !col.IsNull(0) {
			switch a := col.(type) {
			case *array.Int64:
				got = a.Value(0)
			case *array.Float64:
				got = a.Value(0)
			case *array.Boolean:
				got = a.Value(0)
			case *array.String:
				got = a.Value(0)
			case *array.Timestamp:
				got = int64(a.Value(0))
			}
		}
		if got != v {
			t.Errorf("%s = %v (%T), want %v", name, got, got, v)
		}
	}
}

func TestContactsRun(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{MediaReadyAfter: 2}, 5, 20)
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 5, "media", "true", "transcripts", "true"), nil, now)
	cs := uniqueBy(t, rows(t, r.out, ContactTable), "id")
	if len(cs) != 100 {
		t.Fatalf("%d contacts, want 100", len(cs))
	}
	md := uniqueBy(t, rows(t, r.out, MetadataTable), "contact_id", "key")
	if len(md) != 200 || md["100|phone"]["value"] != "555-0100" || md["100|customerNo"]["value"] != "1100" {
		t.Errorf("%d metadata rows; contact 100: %v", len(md), md["100|phone"])
	}
	media := uniqueBy(t, rows(t, r.out, MediaTable), "contact_id", "format")
	if len(media) != 100 {
		t.Fatalf("%d media rows, want 100", len(media))
	}
	m := media["100|WAV"]
	body := e.MediaBytes(100, "WAV")
	sum := sha256.Sum256(body)
	if m["sha256"] != hex.EncodeToString(sum[:]) || m["bytes"] != int64(len(body)) || m["gets"] != int64(3) || m["content_type"] != "audio/wav" {
		t.Errorf("media row %v", m)
	}
	if ids, _ := m["request_ids"].([]any); len(ids) != 2 {
		t.Errorf("request_ids %v, want the two not-ready answers' ids", m["request_ids"])
	}
	stored, err := os.ReadFile(filepath.Join(r.out, m["path"].(string)))
	if err != nil || string(stored) != string(body) {
		t.Errorf("stored media file %s: %v (%d bytes)", m["path"], err, len(stored))
	}
	tr := uniqueBy(t, rows(t, r.out, TranscriptTable), "ccrid", "is_root_recording")
	if len(tr) != 100 || !strings.Contains(tr["100|false"]["transcript_json"].(string), `"text":"Thank you for calling."`) {
		t.Errorf("%d transcripts; 100: %v", len(tr), tr["100|false"])
	}
	if r.cursors[ContactsCursor] != days(5).Format("2006-01-02") {
		t.Errorf("cursor %v", r.cursors)
	}
	// 1 login + 5 searches + 100 x (POST + 3 GETs + PUT) + 1 logout
	if st := e.Stats(); st.Requests != 1+5+100*5+1 {
		t.Errorf("%d requests, want %d", st.Requests, 1+5+100*5+1)
	}
}

// The searches ask for expand=metadata, beginDate and endDate one day
// apart, with the query option's parameters.
func TestContactsSearchQuery(t *testing.T) {
	var queries []string
	e := calabriotest.New(t, calabriotest.Options{Contacts: calabriotest.ExampleContacts(day0, 3, 1, 1),
		OnRequest: func(r *http.Request) {
			if r.URL.Path == ContactPath {
				queries = append(queries, r.URL.RawQuery)
			}
		}})
	mustRun(t, ContactsKind(), contactRange(e, 0, 3, "query", "type=quality&team=5"), nil, now)
	want := []string{
		"beginDate=2024-03-01&endDate=2024-03-02&expand=metadata&team=5&type=quality",
		"beginDate=2024-03-02&endDate=2024-03-03&expand=metadata&team=5&type=quality",
		"beginDate=2024-03-03&endDate=2024-03-04&expand=metadata&team=5&type=quality",
	}
	if strings.Join(queries, "\n") != strings.Join(want, "\n") {
		t.Errorf("searches\n%s\nwant\n%s", strings.Join(queries, "\n"), strings.Join(want, "\n"))
	}
}

func TestContactsRejects(t *testing.T) {
	cs := calabriotest.ExampleContacts(day0, 1, 4, 1)
	cs[1].Fields = map[string]any{"id": nil}                          // no key
	cs[2].Fields = map[string]any{"callDuration": "fifteen"}          // wrong type
	cs[3].Fields = map[string]any{"newField": map[string]any{"a": 1}} // undocumented: kept
	e := calabriotest.New(t, calabriotest.Options{Contacts: cs, NoTranscript: map[int64]bool{1: true}})
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 1, "transcripts", "true"), nil, now)
	got := rows(t, r.out, ContactTable)
	if len(got) != 2 {
		t.Fatalf("%d contacts written, want 2", len(got))
	}
	rej := lakecheck.Rejects(t, r.out, ContactTable)
	if len(rej) != 2 {
		t.Fatalf("%d rejects, want 2: %+v", len(rej), rej)
	}
	cols := map[string]bool{}
	for _, x := range rej {
		cols[x.Column] = true
		if strings.Contains(x.Reason, "fifteen") {
			t.Errorf("reason shows the value: %s", x.Reason)
		}
		if x.Raw == "" || x.Record == nil {
			t.Errorf("reject without raw record or position: %+v", x)
		}
	}
	if !cols["id"] || !cols["callDuration"] {
		t.Errorf("reject columns %v, want id and callDuration", cols)
	}
	for _, c := range got {
		if c["id"] == int64(4) && !strings.Contains(toString(c["extra_json"]), `"newField":{"a":1}`) {
			t.Errorf("extra_json %v", c["extra_json"])
		}
	}
	// Contact 1's transcript is not there (404): not a reject, a count.
	if tr := lakecheck.Rejects(t, r.out, TranscriptTable); len(tr) != 0 {
		t.Errorf("transcript rejects %+v, want none", tr)
	}
	if st := r.res.Tables[TranscriptTable]; st.RowsIn != 1 || st.RowsOut != 1 || st.RowsRejected != 0 {
		t.Errorf("transcript counts %+v", st)
	}
	if r.res.Report["transcripts_unavailable"] != int64(1) || fmt.Sprint(r.res.Report["transcripts_unavailable_ids"]) != "[1]" {
		t.Errorf("report %v", r.res.Report)
	}
}

func TestContactsMediaNotReady(t *testing.T) {
	for _, status := range []int{404, 200} {
		e := contactsEmu(t, calabriotest.Options{MediaReadyAfter: 5, MediaNotReadyStatus: status}, 1, 3)
		r := mustRun(t, ContactsKind(), contactRange(e, 0, 1, "media", "true", "media_attempts", "3"), nil, now)
		if n := len(rows(t, r.out, MediaTable)); n != 0 {
			t.Errorf("status %d: %d media rows, want none", status, n)
		}
		// Not ready is no reject: the report counts it and the repull asks again.
		if rej := lakecheck.Rejects(t, r.out, MediaTable); len(rej) != 0 {
			t.Errorf("status %d: media rejects %+v", status, rej)
		}
		if r.res.Report["media_not_ready"] != int64(3) {
			t.Errorf("status %d: report %v", status, r.res.Report)
		}
		if n := len(rows(t, r.out, ContactTable)); n != 3 {
			t.Errorf("status %d: %d contacts, want 3", status, n)
		}
	}
}

// A contact with neither audio nor screen uploaded has no media to export;
// a contact that does not exist for the export is counted, not rejected.
func TestContactsMediaSkippedAndMissing(t *testing.T) {
	cs := calabriotest.ExampleContacts(day0, 1, 3, 1)
	cs[0].Fields = map[string]any{"audioUploaded": false, "screenUploaded": false}
	e := calabriotest.New(t, calabriotest.Options{Contacts: cs, NoMedia: map[int64]bool{3: true}})
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 1, "media", "true", "media_format", "opus"), nil, now)
	media := rows(t, r.out, MediaTable)
	if len(media) != 1 || media[0]["contact_id"] != int64(2) || media[0]["format"] != "OPUS" ||
		!strings.HasSuffix(media[0]["path"].(string), "/2.opus") {
		t.Errorf("media %v", media)
	}
	if rej := lakecheck.Rejects(t, r.out, MediaTable); len(rej) != 0 {
		t.Errorf("media rejects %+v", rej)
	}
	if r.res.Report["media_unavailable"] != int64(1) || fmt.Sprint(r.res.Report["media_unavailable_ids"]) != "[3]" {
		t.Errorf("report %v", r.res.Report)
	}
	if n := e.Stats().Routes["GET media"]; n != 1 {
		t.Errorf("%d media GETs, want 1 (none after the POST said the contact does not exist)", n)
	}
	if r.res.Report["media_skipped_no_recording"] != int64(1) {
		t.Errorf("report %v", r.res.Report)
	}
}

func TestContactOptions(t *testing.T) {
	_, err := parseContactOptions(map[string]string{"query": "beginDate=2024-01-01&Agent=5", "media_format": "mp3", "media": "maybe"})
	for _, want := range []string{"base_url is required", "username is required", "password is required",
		"beginDate is set by the kind", "agent, lower case", "media_format", "media: want true or false"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestContactsCursorResume(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 20, 1)
	first := mustRun(t, ContactsKind(), contactRange(e, 0, 3), nil, now)
	if first.cursors[ContactsCursor] != "2024-03-04" {
		t.Fatalf("cursor %v", first.cursors)
	}
	o := opts(e, "repull_days", "1")
	second := mustRun(t, ContactsKind(), o, first.cursors, days(5).Add(10*3600e9))
	// from the cursor less a day (03-03) to the day after now (03-07)
	got := uniqueBy(t, rows(t, second.out, ContactTable), "id")
	if len(got) != 4 {
		t.Errorf("resumed run wrote %d contacts, want 4 (03-03 to 03-06)", len(got))
	}
	if second.cursors[ContactsCursor] != "2024-03-06" {
		t.Errorf("cursor %v, want today's start 2024-03-06", second.cursors)
	}
	if r := run(t, ContactsKind(), opts(e), nil, now); r.err == nil || !strings.Contains(r.err.Error(), "no start option") {
		t.Errorf("first run without start: %v", r.err)
	}
}

// A day that finds no contact on a rerun loses the files an earlier run
// wrote for it: the source names every day searched as an input.
func TestRerunOfAnEmptiedDayRemovesItsFiles(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 3, 2)
	o := contactRange(e, 0, 3)
	first := mustRun(t, ContactsKind(), o, nil, now)
	if n := len(rows(t, first.out, ContactTable)); n != 6 {
		t.Fatalf("%d contacts, want 6", n)
	}
	if len(first.res.Inputs) != 3 {
		t.Fatalf("inputs %+v, want the 3 days", first.res.Inputs)
	}
	// On the rerun the first day's search finds nothing.
	e.Inject(calabriotest.Fault{Method: "GET", Path: ContactPath, Status: http.StatusOK, Body: "[]", Times: 1})
	r := lakecheck.RunWith(t, ContactsKind(), lakecheck.Options{Opts: only(ContactsKind(), o), Out: first.out, Now: now})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if len(r.Result.Inputs) != 3 {
		t.Fatalf("rerun inputs %+v, want the 3 days", r.Result.Inputs)
	}
	cs := rows(t, first.out, ContactTable)
	if len(cs) != 4 {
		t.Fatalf("%d contacts after the rerun, want 4 (the emptied day's files removed)", len(cs))
	}
	for _, c := range cs {
		if d, _ := c["window_date"].(int32); d == int32(days(0).Unix()/86400) {
			t.Errorf("a contact of the emptied day is still there: %v", c["id"])
		}
	}
}
