package textcontact

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// bodies are the TXT files the reference's examples name. Only email1.txt
// has content in the reference ("This is the email body."); email2.txt
// (CRLF lines) and chat1.txt (a byte order mark and non-ASCII UTF-8) are
// made up.
var bodies = []string{"testdata/email1.txt", "testdata/email2.txt", "testdata/chat1.txt"}

func output(t *testing.T, res pipeline.Result, out string) map[string]any {
	return map[string]any{
		TableName: uploadtest.Sorted(lakecheck.Table(t, out, TableName), "source_file", "filename"),
		"report":  res.Report,
	}
}

// The reference's "Batch CSV File Example" verbatim is cut by PDF line
// wraps (the header's ",references,id" and every row are split over two
// lines, indented): every line has the wrong number of columns, so every
// line is rejected with its line number and nothing is written.
func TestDocBatchCSVVerbatim(t *testing.T) {
	res, out, err := uploadtest.Run(t, Kind(), nil, append([]string{"testdata/doc_batch.verbatim.csv"}, bodies...)...)
	if err != nil {
		t.Fatal(err)
	}
	rej := lakecheck.Rejects(t, out, TableName)
	fields := []int{3, 7, 5, 6, 3, 4, 7, 5}
	if len(rej) != len(fields) {
		t.Fatalf("got %d rejects, want %d", len(rej), len(fields))
	}
	for i, n := range fields {
		want := "row has " + string(rune('0'+n)) + " columns, the header has 9"
		if rej[i].Line != int64(i+2) || rej[i].Reason != want {
			t.Errorf("reject %d: line %d %q, want line %d %q", i, rej[i].Line, rej[i].Reason, i+2, want)
		}
	}
	if st := res.Tables[TableName]; st.RowsIn != 8 || st.RowsOut != 0 || st.RowsRejected != 8 {
		t.Errorf("stats %+v", st)
	}
	if got := res.Report["unreferenced_text_files"]; !reflect.DeepEqual(got, []string{"chat1.txt", "email1.txt", "email2.txt"}) {
		t.Errorf("report %v", res.Report)
	}
}

// testdata/doc_batch.csv repairs the batch example: wrapped lines joined
// (the wrap inside "close my account" had eaten the space), indentation
// removed.
func TestDocBatchCSV(t *testing.T) {
	res, out := uploadtest.MustRun(t, Kind(), nil, append([]string{"testdata/doc_batch.csv"}, bodies...)...)
	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "filename")
	if len(rows) != 3 {
		t.Fatalf("got %d rows", len(rows))
	}
	chat, email2 := rows[0], rows[2]
	if chat["text"] != "cust3: Hallo, Grüße aus Köln 👋\nagent1: Hello! How can I help with billing?\n" || chat["text_type"] != "chat" {
		t.Errorf("chat1: %q %v (the byte order mark must be dropped)", chat["text"], chat["text_type"])
	}
	if chat["references"] != nil || chat["id"] != nil || chat["eval_form_name"] != "1" {
		t.Errorf("chat1: empty references and id must be null, evalForm kept as a name: %v %v %v", chat["references"], chat["id"], chat["eval_form_name"])
	}
	if !reflect.DeepEqual(email2["receiver"], []any{"agent1@calabrio.com", "agent2@calabrio.com"}) || email2["subject"] != "close my account" {
		t.Errorf("email2: %v %v", email2["receiver"], email2["subject"])
	}
	if !reflect.DeepEqual(rows[1]["metadata"], map[string]any{"accNum": "123", "ssn": "234"}) || rows[1]["time"] != int64(1439993633000) {
		t.Errorf("email1: %v %v", rows[1]["metadata"], rows[1]["time"])
	}
	uploadtest.Golden(t, "testdata/doc_batch_csv.golden.json", output(t, res, out), *update)
}

// The reference's multi-file JSON example verbatim lacks the opening "[",
// two commas (after the "subject" lines), has a trailing comma before the
// last "}" and a string broken over two lines, plus the converter's ```
// fences around a page break. It fails at the first problem: the comma
// after the first object.
func TestDocMultiJSONVerbatimIsRejected(t *testing.T) {
	_, _, err := uploadtest.Run(t, Kind(), nil, append([]string{"testdata/doc_multi.verbatim.json"}, bodies...)...)
	if err == nil || !strings.Contains(err.Error(), "doc_multi.verbatim.json: line 8, column 2: a comma follows the top-level object; several records must be enclosed in [ ]") {
		t.Fatalf("got %v", err)
	}
}

// testdata/doc_multi.json repairs it: "[" added, commas added and the
// trailing one removed, the wrapped string joined, fences dropped.
func TestDocMultiJSON(t *testing.T) {
	res, out := uploadtest.MustRun(t, Kind(), nil, append([]string{"testdata/doc_multi.json"}, bodies...)...)
	rows := uploadtest.Sorted(lakecheck.Table(t, out, TableName), "filename")
	if len(rows) != 2 {
		t.Fatalf("got %d rows", len(rows))
	}
	chat := rows[0]
	if chat["eval_form_id"] != int64(5) || !strings.HasPrefix(chat["eval_form_name"].(string), "name of evalForm.") ||
		!reflect.DeepEqual(chat["references"], []any{"reference 1", "reference 2"}) {
		t.Errorf("chat1: %v", chat)
	}
	if rows[1]["eval_form_id"] != nil || rows[1]["receiver"] != nil || rows[1]["text"] != "This is the email body.\n" {
		t.Errorf("email1: %v", rows[1])
	}
	if got := res.Report["unreferenced_text_files"]; !reflect.DeepEqual(got, []string{"email2.txt"}) {
		t.Errorf("report %v", res.Report)
	}
	uploadtest.Golden(t, "testdata/doc_multi_json.golden.json", output(t, res, out), *update)
}

// The reference's ZIP example: textcontacts.zip holding textcontacts.csv
// (two rows, for email1 and chat1), email1.txt and chat1.txt, here in a
// folder to show that folders are flattened.
func TestDocZip(t *testing.T) {
	csv, err := os.ReadFile("testdata/doc_batch.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(csv), "\n")
	var members []uploadtest.Member
	members = append(members, uploadtest.Member{Name: "textcontacts.csv", Data: []byte(lines[0] + lines[1] + lines[3])})
	for _, p := range []string{"testdata/email1.txt", "testdata/chat1.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, uploadtest.Member{Name: "bodies/" + filepath.Base(p), Data: b})
	}
	zip := uploadtest.Zip(t, filepath.Join(t.TempDir(), "textcontacts.zip"), members...)
	res, out := uploadtest.MustRun(t, Kind(), nil, zip)
	rows := lakecheck.Table(t, out, TableName)
	if len(rows) != 2 || rows[0]["source_file"] != "textcontacts.zip!textcontacts.csv" || rows[0]["upload_id"] != pipeline.RunKey(KindName, []string{zip}) {
		t.Fatalf("rows: %v", rows)
	}
	uploadtest.Golden(t, "testdata/doc_zip.golden.json", output(t, res, out), *update)
}
