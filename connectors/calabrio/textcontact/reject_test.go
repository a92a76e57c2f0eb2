package textcontact

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// badCSV has two good rows (lines 2 and 16) and one reject per rule.
var badCSV = strings.Join([]string{
	"textType,filename,evalForm,time,username,sender,receiver,subject,metadata,references,id",
	"Email,ok.txt,Form A,1439993633000,agent1,cust,a|b,subj,k=v|x=y=z,r1,1",
	"sms,ok.txt,,1439993633000,agent1,,,,,,",
	"email,,,1439993633000,agent1,,,,,,",
	"email,ok.txt,,,agent1,,,,,,",
	"email,ok.txt,,yesterday,agent1,,,,,,",
	"email,ok.txt,,1439993633000,,,,,,,",
	"email,notes.doc,,1439993633000,agent1,,,,,,",
	"email,absent.txt,,1439993633000,agent1,,,,,,",
	"email,bad.txt,,1439993633000,agent1,,,,,,",
	"email,big.txt,,1439993633000,agent1,,,,,,",
	"email,ok.txt,,1439993633000,agent1,,,,novalue,,",
	"email,ok.txt,,1439993633000,agent1,,,,a=1|a=2,,",
	"email,ok.txt,,1439993633000,agent1",
	"CHAT,rejonly.txt,,1439993633000,,,,,,,",
	`"chat","ok.txt","",1439993633000,"agent1","","a|","s, with comma","","",""`,
}, "\n") + "\n"

// badJSON has two good records (0 and 8).
var badJSON = `[
 {"textType":"email","filename":"ok.txt","time":"1439993633000","username":"u","evalForm":"Form B","receiver":"a|b","id":7},
 {"textType":"email","records":[]},
 {"textType":"email","filename":"ok.txt","time":1,"username":"u","text":"inline"},
 {"textType":"email","filename":"ok.txt","time":1,"username":"u","evalForm":{}},
 {"textType":"email","filename":"ok.txt","time":1,"username":"u","evalForm":{"id":"x"}},
 {"textType":"email","filename":"ok.txt","time":1,"username":"u","receiver":[1,{}]},
 {"textType":"email","filename":"ok.txt","time":-5,"username":"u"},
 {"TextType":"email","texttype":"chat"},
 {"textType":"email","filename":"ok.txt","time":1,"username":"u","metadata":{"a":1,"b":true,"c":null}},
 "just a string"
]`

func TestRejectsReconcile(t *testing.T) {
	dir := t.TempDir()
	in := []string{
		lakecheck.WriteFile(t, dir, "contacts.csv", badCSV),
		lakecheck.WriteFile(t, dir, "contacts.json", badJSON),
		lakecheck.WriteFile(t, dir, "ok.txt", "hello\n"),
		lakecheck.WriteFile(t, dir, "bad.txt", "line one\nabc\xffdef\n"),
		lakecheck.WriteFile(t, dir, "big.txt", strings.Repeat("x", 100)),
		lakecheck.WriteFile(t, dir, "rejonly.txt", "only named by a rejected row"),
		lakecheck.WriteFile(t, dir, "unused.txt", "named by no row"),
		lakecheck.WriteFile(t, dir, "x.wav", "not a text file"),
	}
	res, out, err := uploadtest.Run(t, Kind(), map[string]string{"max_body_bytes": "64"}, in...)
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := []uploadtest.Reject{
		{Pos: 3, Column: "textType", Reason: errTextType.Error()},
		{Pos: 4, Column: "filename", Reason: errRequired.Error()},
		{Pos: 5, Column: "time", Reason: errRequired.Error()},
		{Pos: 6, Column: "time", Reason: "not a valid timestamp"},
		{Pos: 7, Column: "username", Reason: errRequired.Error()},
		{Pos: 8, Column: "filename", Reason: errTxt.Error()},
		{Pos: 9, Column: "filename", Reason: errMissing.Error()},
		{Pos: 10, Column: "filename", Reason: "the text file is not valid UTF-8: line 2, byte 4"},
		{Pos: 11, Column: "filename", Reason: "the text file is larger than max_body_bytes (64 bytes)"},
		{Pos: 12, Column: "metadata", Reason: "item 1 is not name=value"},
		{Pos: 13, Column: "metadata", Reason: "item 2 repeats an earlier name"},
		{Pos: 14, Column: "", Reason: "row has 5 columns, the header has 11"},
		{Pos: 15, Column: "username", Reason: errRequired.Error()},
	}
	wantJSON := []uploadtest.Reject{
		{Pos: 1, Column: "records", Reason: errRecords.Error()},
		{Pos: 2, Column: "text", Reason: errInlineText.Error()},
		{Pos: 3, Column: "evalForm", Reason: errEvalForm.Error()},
		{Pos: 4, Column: "evalForm.id", Reason: "want a whole number"},
		{Pos: 5, Column: "receiver", Reason: "want a JSON array of strings"},
		{Pos: 6, Column: "time", Reason: "not a valid timestamp"},
		{Pos: 7, Column: "texttype", Reason: errTwice.Error()},
		{Pos: 9, Column: "", Reason: "not a JSON object"},
	}
	uploadtest.CheckRejects(t, out, TableName, wantCSV, wantJSON)
	if st := res.Tables[TableName]; st.RowsIn != 25 || st.RowsOut != 4 || st.RowsRejected != 21 || !st.Balanced() {
		t.Errorf("stats %+v", st)
	}

	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "source_file", "text_type", "id")
	if len(rows) != 4 {
		t.Fatalf("got %d rows", len(rows))
	}
	// contacts.csv: "chat" line 16 and "Email" line 2 (stored lower case).
	if r := rows[0]; r["text_type"] != "chat" || !reflect.DeepEqual(r["receiver"], []any{"a"}) || r["subject"] != "s, with comma" || r["eval_form_name"] != nil {
		t.Errorf("line 16: %v", r)
	}
	if r := rows[1]; r["text_type"] != "email" || !reflect.DeepEqual(r["metadata"], map[string]any{"k": "v", "x": "y=z"}) || r["text"] != "hello\n" {
		t.Errorf("line 2: %v", r)
	}
	// contacts.json records 0 and 8.
	if r := rows[2]; r["id"] != "7" || r["eval_form_name"] != "Form B" || !reflect.DeepEqual(r["receiver"], []any{"a", "b"}) || r["time"] != int64(1439993633000) {
		t.Errorf("record 0: %v", r)
	}
	if r := rows[3]; !reflect.DeepEqual(r["metadata"], map[string]any{"a": "1", "b": "true"}) {
		t.Errorf("record 8: %v", r)
	}
	wantReport := map[string]any{
		"unreferenced_text_files":                     []string{"unused.txt"},
		"text_files_referenced_only_by_rejected_rows": []string{"bad.txt", "big.txt", "rejonly.txt"},
		"unsupported_files":                           []string{"x.wav"},
	}
	uploadtest.CheckReport(t, res, wantReport)
}

func TestOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"max_body_bytes": "0", "max_member_bytes": "lots"})
	if err == nil || !strings.Contains(err.Error(), "max_body_bytes") || !strings.Contains(err.Error(), "max_member_bytes") {
		t.Errorf("both problems must be reported: %v", err)
	}
	if o, err := ParseOptions(nil); err != nil || o.MaxBodyBytes != DefaultMaxBodyBytes {
		t.Errorf("defaults: %+v %v", o, err)
	}
}

// A body exactly at the limit loads; one byte over is rejected.
func TestBodyLimitBoundary(t *testing.T) {
	dir := t.TempDir()
	csv := lakecheck.WriteFile(t, dir, "c.csv", "textType,filename,time,username\nchat,a.txt,1,u\nchat,b.txt,1,u\n")
	a := lakecheck.WriteFile(t, dir, "a.txt", strings.Repeat("a", 10))
	b := lakecheck.WriteFile(t, dir, "b.txt", strings.Repeat("b", 11))
	res, _, err := uploadtest.Run(t, Kind(), map[string]string{"max_body_bytes": "10"}, csv, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Tables[TableName]; st.RowsOut != 1 || st.RowsRejected != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSchemaPositions(t *testing.T) {
	for pos, name := range map[int]string{cUploadID: "upload_id", cSourceFile: "source_file", cTime: "time", cReceiver: "receiver",
		cMetadata: "metadata", cID: "id", cText: "text", cTextSHA256: "text_sha256"} {
		if got := Table.Schema.Field(pos).Name; got != name {
			t.Errorf("column %d is %s, want %s", pos, got, name)
		}
	}
	if Table.Schema.NumFields() != cTextSHA256+1 {
		t.Errorf("schema has %d fields", Table.Schema.NumFields())
	}
}
