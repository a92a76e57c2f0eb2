package contact

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// badCSV has two good rows (lines 2 and 17) and one reject per rule.
var badCSV = strings.Join([]string{
	"AgentId,ContactStartTimeMs,TimeZone,CallId,CalledAddress,Direction,Recording1,Recording2,Recording2Offset,metadata.accountNumber",
	"a@x.com,1447100000000,America/Chicago,c1,1801,1,ok1.wav,,,123",
	",1447100000000,,c2,,,ok1.wav,,,",
	strings.Repeat("a", 255) + ",1447100000000,,c3,,,ok1.wav,,,",
	"a@x.com,notanumber,,c4,,,ok1.wav,,,",
	"a@x.com,1447100000000,,c5,,2,ok1.wav,,,",
	"a@x.com,1447100000000,,c6,,,song.mp3,,,",
	"a@x.com,1447100000000,,c7,,,absent.wav,,,",
	"a@x.com,1447100000000,,c8,,,ok1.wav,ok2.wav,,",
	"a@x.com,1447100000000,,c9,,,ok1.wav,ok1.wav,,",
	"a@x.com,1447100000000,,c10,,,ok1.wav",
	"a@x.com,1447100000000,,c\xff,,,ok1.wav,,,",
	"a@x.com,1447100000000,," + strings.Repeat("9", 129) + ",,,ok1.wav,,,",
	"a@x.com,1447100000000,,c12," + strings.Repeat("1", 65) + ",,ok1.wav,,,",
	"a@x.com,1447100000000,,c13,,,ok1.wav,,," + strings.Repeat("é", 2057),
	"a@x.com,1447100000000,,c14,,7,rej.wav,,,",
	`"a@x.com","1447100000000",,"c,15",,,ok2.wav,"screen.webm",-300,"quoted ""x"""`,
	"a@x.com,1447100000000,,c16,,,ok1.wav,,5000x,",
}, "\r\n") + "\r\n"

// badJSON has two good records (0 and 8).
var badJSON = `[
 {"AgentId":"a@x.com","ContactStartTimeMs":1447100000000,"Audio":[{"Location":"ok1.wav"}]},
 {"AgentId":"a@x.com","Audio":[{"Location":"ok1.wav"},{"Location":"ok2.wav"}]},
 {"AgentId":"a@x.com","Direction":"x","Audio":[{"Location":"ok1.wav"}]},
 {"AgentId":"a@x.com","Colour":"red"},
 {"AgentId":"a@x.com","CustomMetadata":{"` + strings.Repeat("n", 40) + `":"v"}},
 42,
 {"AgentId":"a` + "\xff" + `b"},
 {"Called":"1","CalledAddress":"2"},
 {"ContactStartTimeMs":"1447100000000","Screen":{"Location":"screen.webm","StartTimeMs":1447100001000},"CallId":12345},
 {"Audio":[{"Location":"ok2.wav","Volume":3}]},
 {"CustomMetadata":{"a":{"b":1}}}
]`

func TestRejectsReconcile(t *testing.T) {
	dir := t.TempDir()
	csv := lakecheck.WriteFile(t, dir, "contacts.csv", badCSV)
	js := lakecheck.WriteFile(t, dir, "contacts.json", badJSON)
	lakecheck.WriteFile(t, dir, "notes.txt", "not a recording")
	recs := recordings(t, dir, "ok1.wav", "ok2.wav", "rej.wav", "screen.webm", "unused.wav")
	res, out, err := uploadtest.Run(t, Kind(), nil, append([]string{csv, js, filepath.Join(dir, "notes.txt")}, recs...)...)
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := []uploadtest.Reject{
		{Pos: 3, Column: "AgentId", Reason: "required value is empty"},
		{Pos: 4, Column: "AgentId", Reason: "longer than 254 characters"},
		{Pos: 5, Column: "ContactStartTimeMs", Reason: "not a valid timestamp"},
		{Pos: 6, Column: "Direction", Reason: errDirection.Error()},
		{Pos: 7, Column: "Recording1", Reason: errExtension.Error()},
		{Pos: 8, Column: "Recording1", Reason: errMissing.Error()},
		{Pos: 9, Column: "Recording2", Reason: errTwoAudio.Error()},
		{Pos: 10, Column: "Recording2", Reason: "names the same file as Recording1"},
		{Pos: 11, Column: "", Reason: "row has 7 columns, the header has 10"},
		{Pos: 12, Column: "", Reason: "invalid UTF-8 (line 12, byte 25)"},
		{Pos: 13, Column: "CallId", Reason: "longer than 128 characters"},
		{Pos: 14, Column: "CalledAddress", Reason: "longer than 64 characters"},
		{Pos: 15, Column: "metadata.accountNumber", Reason: "longer than 2056 characters"},
		{Pos: 16, Column: "Direction", Reason: errDirection.Error()},
		{Pos: 18, Column: "Recording2Offset", Reason: "not a whole number"},
	}
	wantJSON := []uploadtest.Reject{
		{Pos: 1, Column: "Audio", Reason: errTwoAudioEl.Error()},
		{Pos: 2, Column: "Direction", Reason: "want a whole number"},
		{Pos: 3, Column: "Colour", Reason: "unknown key"},
		{Pos: 4, Column: "CustomMetadata", Reason: "field name 1 must have 1 to 39 characters"},
		{Pos: 5, Column: "", Reason: "not a JSON object"},
		{Pos: 6, Column: "", Reason: "invalid UTF-8 at byte 14 of the record"},
		{Pos: 7, Column: "CalledAddress", Reason: "given more than once"},
		{Pos: 9, Column: "Audio", Reason: "unknown key in an entry"},
		{Pos: 10, Column: "CustomMetadata", Reason: "want a JSON object of name/value strings"},
	}
	for i, r := range uploadtest.CheckRejects(t, out, TableName, wantCSV, wantJSON) {
		if strings.Contains(r.Reason, "a@x.com") || strings.Contains(r.Reason, "aaaa") {
			t.Errorf("reject %d: the reason carries a cell value: %s", i, r.Reason)
		}
	}
	st := res.Tables[TableName]
	if st.RowsIn != 28 || st.RowsOut != 4 || st.RowsRejected != 24 || !st.Balanced() {
		t.Errorf("contact stats %+v", st)
	}

	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "source_file", "call_id")
	if len(rows) != 4 {
		t.Fatalf("got %d rows", len(rows))
	}
	// contacts.csv line 17: quoted fields, a negative offset, a screen file.
	if r := rows[0]; r["call_id"] != "c,15" || r["recording2_offset_ms"] != int64(-300) || r["recording2"] != "screen.webm" ||
		!reflect.DeepEqual(r["metadata"], map[string]any{"accountNumber": `quoted "x"`}) {
		t.Errorf("quoted row: %v", r)
	}
	// contacts.json record 8: start as a string, a lone Screen object, a
	// numeric CallId, no AgentId (the uploader's).
	if r := rows[2]; r["call_id"] != "12345" || r["screen_start"] != int64(1447100001000) || r["agent_id"] != nil || r["contact_start"] != int64(1447100000000) {
		t.Errorf("json record 8: %v", r)
	}

	byName := map[string]map[string]any{}
	for _, r := range lakecheck.Table(t, out, RecordingTableName) {
		byName[r["name"].(string)] = r
	}
	for name, want := range map[string][3]any{
		"ok1.wav": {true, int64(2), int64(12)}, "ok2.wav": {true, int64(1), int64(2)}, "rej.wav": {false, int64(0), int64(1)},
		"screen.webm": {true, int64(2), int64(0)}, "unused.wav": {false, int64(0), int64(0)},
	} {
		r := byName[name]
		if got := [3]any{r["referenced"], r["contacts"], r["rejected_contacts"]}; got != want {
			t.Errorf("recording %s: referenced, contacts, rejected_contacts = %v, want %v", name, got, want)
		}
	}
	if len(byName) != 5 || byName["unused.wav"]["path"] != nil || byName["ok1.wav"]["path"] == nil {
		t.Errorf("recordings: %v", byName)
	}
	wantReport := map[string]any{
		"unreferenced_recordings":                     []string{"unused.wav"},
		"recordings_referenced_only_by_rejected_rows": []string{"rej.wav"},
		"unsupported_files":                           []string{"notes.txt"},
	}
	uploadtest.CheckReport(t, res, wantReport)
	if st := res.Tables[RecordingTableName]; st.RowsIn != 5 || st.RowsOut != 5 {
		t.Errorf("recording stats %+v", st)
	}
}
