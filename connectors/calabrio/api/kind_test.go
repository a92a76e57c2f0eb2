package api

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

var snakeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func TestKinds(t *testing.T) {
	names := map[string]bool{}
	for _, k := range Kinds() {
		names[k.Name] = true
		if k.Validate == nil || k.Open == nil || k.Doc == "" || len(k.Tables) == 0 {
			t.Errorf("kind %s is incomplete", k.Name)
		}
		secret := map[string]bool{}
		for _, o := range k.Options {
			secret[o.Name] = o.Secret
			if o.Doc == "" {
				t.Errorf("kind %s: option %s has no doc", k.Name, o.Name)
			}
		}
		if !secret["password"] {
			t.Errorf("kind %s: password is not marked secret", k.Name)
		}
		if err := k.Validate(map[string]string{}); err == nil || !strings.Contains(err.Error(), "base_url is required") {
			t.Errorf("kind %s: Validate of no options: %v", k.Name, err)
		}
		if err := k.CheckOptions(map[string]string{"bogus": "1"}); err == nil {
			t.Errorf("kind %s accepts an unknown option", k.Name)
		}
		for _, tb := range k.Tables {
			for _, f := range tb.Schema.Fields() {
				if !snakeRE.MatchString(f.Name) {
					t.Errorf("kind %s: table %s: column %q is not snake_case", k.Name, tb.Name, f.Name)
				}
			}
		}
	}
	for _, n := range []string{ReportKindName, ContactsKindName, OrgExportKindName} {
		if !names[n] {
			t.Errorf("kind %s missing from Kinds()", n)
		}
	}
}

// Drain checks every batch against its declared schema and that each
// accounts for its rows (written, rejected or merged).
func TestDrainAccounting(t *testing.T) {
	cs := calabriotest.ExampleContacts(day0, 3, 9, 1)
	cs[2].Fields = map[string]any{"id": "not-a-number"}
	cs[5].Fields = map[string]any{"metadata": map[string]any{"": "no key"}}
	e := calabriotest.New(t, calabriotest.Options{Contacts: cs, NoTranscript: map[int64]bool{4: true}, MediaReadyAfter: 1})
	o := only(ContactsKind(), contactRange(e, 0, 3, "media", "true", "transcripts", "true"))
	c, err := lakecheck.Drain(t, ContactsKind(), o)
	if err != nil {
		t.Fatal(err)
	}
	// 27 contacts (1 rejected); 51 metadata rows from 26 contacts (one
	// without a key, rejected); 26 media files; 25 transcripts (contact 4
	// has none yet: counted in the report, not a row)
	if c.Read != 27+51+26+25 || c.Rejected != 2 {
		t.Errorf("counts %+v", c)
	}
	re := calabriotest.New(t, calabriotest.Options{Reports: map[string]*calabriotest.Report{reportID: {Header: reportHeader, Rows: reportRows(50), Async: true}}})
	rc, err := lakecheck.Drain(t, ReportKind(), only(ReportKind(), reportOpts(re, "page_rows", "7")))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Written != 50+8 {
		t.Errorf("report counts %+v, want 50 rows and 8 export jobs", rc)
	}
}
