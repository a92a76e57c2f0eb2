package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// An apiKind sets up one API kind against its emulator for an end-to-end
// `ccetl run`: the source block of a job, the credentials it was given,
// and the sessions or tokens its emulator issued.
type apiKind struct {
	name string
	// setup starts the emulator; via turns an emulator URL into the URL the
	// job uses (the same, or a fault proxy in front of it); expire makes
	// sessions and tokens expire every 40 requests where the vendor has
	// them. dir is a folder for credential files.
	setup func(t *testing.T, dir string, via func(string) string, expire bool) apiRun
}

type apiRun struct {
	source  string   // the YAML of one source, indented as a list item
	secrets []string // credentials given to the job
	issued  func() []string
}

func writeSecret(t *testing.T, dir, name, value string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func none() []string { return nil }

var apiKinds = []apiKind{
	{"maestroqa-coaching-api", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		tok := "mqa-S3cret-token-7f3a9c"
		e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true, Token: tok})
		e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 60, First: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
		return apiRun{source: fmt.Sprintf(`  - kind: maestroqa-coaching-api
    options: {base_url: %s, api_token_file: %s, window_days: "5", repull_days: "0", start: "2024-01-01", end: "2024-02-01",
      retry_delay: 1ms, rate_limit: 1000/1s}
`, via(e.URL()), writeSecret(t, dir, "mqa", tok)), secrets: []string{tok}, issued: none}
	}},
	{"genesys-coaching", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		secret := "gen-Cl1ent-S3cret-51e2"
		cfg := genesystest.Config{ClientID: "gen-client", ClientSecret: secret}
		if expire {
			cfg.TokenUses = 40
		}
		e := genesystest.New(t, cfg)
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := range 40 {
			id := fmt.Sprintf("A%d", i)
			start := day.Add(time.Duration(i) * 7 * time.Hour)
			if err := e.Add(genesystest.Appointment(id, start, "fac", "user-a", "user-b"),
				[]json.RawMessage{genesystest.Status(id, "Scheduled", start.Add(-time.Hour), "fac")},
				[]json.RawMessage{genesystest.Annotation("N"+id, start, "fac", "Listen more")}); err != nil {
				t.Fatal(err)
			}
		}
		return apiRun{source: fmt.Sprintf(`  - kind: genesys-coaching
    options: {login_url: %s, api_url: %s, client_id: gen-client, client_secret_file: %s, user_ids: "user-a,user-b",
      start: "2024-03-01", end: "2024-03-14", repull_days: "0", rate_limit: 1000/1s}
`, via(e.LoginURL()), via(e.APIURL()), writeSecret(t, dir, "gen", secret)), secrets: []string{secret}, issued: e.IssuedTokens}
	}},
	{"cresta-coaching-plans", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		tok := "cresta-S3cret-4b1d0e"
		e := crestatest.New(t, crestatest.Config{Token: tok})
		var names []string
		for i := range 30 {
			n := fmt.Sprintf("customers/acme/profiles/main/coachingPlans/plan-%02d", i)
			e.AddExamplePlan(n)
			names = append(names, n)
		}
		return apiRun{source: fmt.Sprintf(`  - kind: cresta-coaching-plans
    options: {base_url: %s, api_token_file: %s, plans: "%s", rate_limit: 1000/1s}
`, via(e.URL()), writeSecret(t, dir, "cresta", tok), strings.Join(names, ",")), secrets: []string{tok}, issued: none}
	}},
	{"livevox-agents", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		e := livevoxtest.New(t, livevoxtest.Options{})
		e.AddAgents(49551, 500000, 900, []int64{12366}) // about 900 requests
		if expire {
			e.ExpireSessionsEvery(40)
		}
		u := livevoxtest.DefaultUser
		return apiRun{source: fmt.Sprintf(`  - kind: livevox-agents
    options: {base_url: %s, access_token_file: %s, client_name: %s, username: %s, password_file: %s,
      client_id: "49551", rate_limit: none, retry_delay: 1ms}
`, via(e.URL), writeSecret(t, dir, "lvtok", livevoxtest.DefaultToken), u.ClientName, u.UserName, writeSecret(t, dir, "lvpw", u.Password)),
			secrets: []string{livevoxtest.DefaultToken, u.Password}, issued: e.IssuedSessions}
	}},
	{"calabrio-report", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		o := calabrioOptions(expire)
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		var rows [][]string
		for i := range 2500 {
			ts := day.Add(time.Duration(i) * 30 * time.Second)
			rows = append(rows, []string{fmt.Sprintf("Agent %d", i), fmt.Sprint(i % 50), fmt.Sprintf("%d.5", i%300),
				ts.Format("1/2/2006"), fmt.Sprint(ts.UnixMilli())})
		}
		o.Reports = map[string]*calabriotest.Report{"RP1_22_0_8o448kr6ll3sbkgvvfkj7": {
			Header: []string{"Agent Name", "Calls", "Handle Time", "Date", "Contact Start"}, Rows: rows, Async: true}}
		e := calabriotest.New(t, o)
		return apiRun{source: fmt.Sprintf(`  - kind: calabrio-report
    options: {base_url: %s, username: %s, password_file: %s, report_id: RP1_22_0_8o448kr6ll3sbkgvvfkj7, report_name: agent_calls,
      columns: "Agent Name=string;Calls=int64;Handle Time=float64;Date=date;Contact Start=timestamp",
      page_rows: "100", rate_limit: 10000/1s, retry_delay: 1ms, poll_interval: 1ms, poll_max_interval: 4ms}
`, via(e.URL), calabriotest.DefaultUsername, writeSecret(t, dir, "calpw", calabrioPassword)),
			secrets: []string{calabrioPassword}, issued: e.IssuedSessions}
	}},
	{"calabrio-contacts", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		o := calabrioOptions(expire)
		o.Contacts = calabriotest.ExampleContacts(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 3, 280, 100) // about 2,500 requests
		e := calabriotest.New(t, o)
		return apiRun{source: fmt.Sprintf(`  - kind: calabrio-contacts
    options: {base_url: %s, username: %s, password_file: %s, start: "2024-03-01", end: "2024-03-04", repull_days: "0",
      media: "true", transcripts: "true", rate_limit: 10000/1s, retry_delay: 1ms, media_wait: 1ms, media_max_wait: 4ms}
`, via(e.URL), calabriotest.DefaultUsername, writeSecret(t, dir, "calpw", calabrioPassword)),
			secrets: []string{calabrioPassword}, issued: e.IssuedSessions}
	}},
	{"calabrio-org-export", func(t *testing.T, dir string, via func(string) string, expire bool) apiRun {
		e := calabriotest.New(t, calabrioOptions(expire))
		return apiRun{source: fmt.Sprintf(`  - kind: calabrio-org-export
    options: {base_url: %s, username: %s, password_file: %s, rate_limit: 10000/1s, retry_delay: 1ms}
`, via(e.URL), calabriotest.DefaultUsername, writeSecret(t, dir, "calpw", calabrioPassword)),
			secrets: []string{calabrioPassword}, issued: e.IssuedSessions}
	}},
}

const calabrioPassword = "cal-Pa55w0rd-e9d1c3"

func calabrioOptions(expire bool) calabriotest.Options {
	o := calabriotest.Options{Password: calabrioPassword}
	if expire {
		o.SessionRequests = 40
	}
	return o
}

// apiJob writes a job of one API source into dir.
func apiJob(t *testing.T, dir string, r apiRun) string {
	t.Helper()
	job := "name: api-pull\nsources:\n" + r.source + "sink: {url: " + filepath.Join(dir, "out") + "}\n"
	p := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(p, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lakeRows reads every table of a lake as sorted rows, by table.
func lakeRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") || strings.HasPrefix(e.Name(), ".") || e.Name() == "media" {
			continue
		}
		var files []string
		filepath.WalkDir(filepath.Join(out, e.Name()), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".parquet") {
				files = append(files, p)
			}
			return nil
		})
		for _, f := range files {
			got[e.Name()] = append(got[e.Name()], parquetRows(t, f)...)
		}
		sort.Strings(got[e.Name()])
	}
	return got
}

func parquetRows(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rdr, err := file.NewParquetReader(fh)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	rows := make([]strings.Builder, tbl.NumRows())
	for c := 0; c < int(tbl.NumCols()); c++ {
		name := tbl.Schema().Field(c).Name
		i := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for j := 0; j < chunk.Len(); j++ {
				fmt.Fprintf(&rows[i], "%s=%s|", name, chunk.ValueStr(j))
				i++
			}
		}
	}
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = rows[i].String()
	}
	return out
}

// volatile finds the columns whose values differ between two clean runs
// (snapshot times, export job ids): they cannot be compared across runs.
func volatile(a, b map[string][]string) map[string]bool {
	drop := map[string]bool{}
	for table, rows := range a {
		other := b[table]
		if len(other) != len(rows) {
			continue
		}
		cols := map[string][]string{}
		ocols := map[string][]string{}
		for i := range rows {
			for _, kv := range strings.Split(strings.TrimSuffix(rows[i], "|"), "|") {
				k, v, _ := strings.Cut(kv, "=")
				cols[k] = append(cols[k], v)
			}
			for _, kv := range strings.Split(strings.TrimSuffix(other[i], "|"), "|") {
				k, v, _ := strings.Cut(kv, "=")
				ocols[k] = append(ocols[k], v)
			}
		}
		for k, vs := range cols {
			x, y := slices.Clone(vs), slices.Clone(ocols[k])
			slices.Sort(x)
			slices.Sort(y)
			if !slices.Equal(x, y) {
				drop[table+"."+k] = true
			}
		}
	}
	return drop
}

// cleanRows runs a kind twice without faults and returns its tables over
// the columns that are the same in both runs, and those columns' complement.
func cleanRows(t *testing.T, k apiKind) (map[string][]string, map[string]bool) {
	var runs []map[string][]string
	for range 2 {
		dir, secrets := t.TempDir(), t.TempDir()
		job := apiJob(t, dir, k.setup(t, secrets, func(u string) string { return u }, false))
		if code, stdout, stderr := call(t, "run", job); code != exitOK {
			t.Fatalf("%s without faults: exit %d\n%s\n%s", k.name, code, stdout, stderr)
		}
		runs = append(runs, lakeRows(t, filepath.Join(dir, "out")))
	}
	drop := volatile(runs[0], runs[1])
	return reRows(runs[0], drop), drop
}

// reRows drops the volatile columns from rows already read.
func reRows(rows map[string][]string, drop map[string]bool) map[string][]string {
	out := map[string][]string{}
	for table, rs := range rows {
		for _, r := range rs {
			var kept []string
			for _, kv := range strings.Split(strings.TrimSuffix(r, "|"), "|") {
				k, _, _ := strings.Cut(kv, "=")
				if !drop[table+"."+k] {
					kept = append(kept, kv)
				}
			}
			out[table] = append(out[table], strings.Join(kept, "|"))
		}
		sort.Strings(out[table])
	}
	return out
}
