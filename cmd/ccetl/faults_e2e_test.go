package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pullThroughFaults runs kind k through fault proxies at rate, sessions and
// tokens expiring every 40 requests, up to runs times until a run exits 0;
// every failed run must have made progress (changed the job's state). It
// returns the tables of the lake and the faults injected.
func pullThroughFaults(t *testing.T, k apiKind, rate float64, seed uint64, runs int) (map[string][]string, int, int) {
	dir, secrets := t.TempDir(), t.TempDir()
	var proxies []*faultProxy
	via := func(u string) string {
		p, url := newFaultProxy(t, u, rate, seed+uint64(len(proxies)))
		proxies = append(proxies, p)
		return url
	}
	job := apiJob(t, dir, k.setup(t, secrets, via, true))
	state := func() string { // the cursors and processed objects, not the lease
		_, out, _ := call(t, "state", "show", job)
		var doc struct {
			State json.RawMessage `json:"state"`
		}
		json.Unmarshal([]byte(out), &doc)
		return string(doc.State)
	}
	n := 0
	for ; ; n++ {
		if n == runs {
			t.Fatalf("%s at %.0f%% faults did not finish in %d runs", k.name, rate*100, runs)
		}
		before := state()
		code, stdout, stderr := call(t, "run", job)
		if code == exitOK {
			break
		}
		if code != exitFailed || state() == before {
			t.Fatalf("%s at %.0f%% faults: run %d exited %d without progress\n%s\n%s", k.name, rate*100, n+1, code, stdout, stderr)
		}
	}
	faults := 0
	for _, p := range proxies {
		faults += p.Faults()
	}
	return lakeRows(t, filepath.Join(dir, "out")), faults, n + 1
}

// bookkeeping are columns that describe how a row was fetched (request
// ids, polls, attempts), not the vendor's data: faults change them.
var bookkeeping = []string{"request_id", "request_ids", "polls", "wait_ms", "gets", "submission", "status_history"}

func sameTables(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	strip := func(m map[string][]string) map[string][]string {
		drop := map[string]bool{}
		for table := range m {
			for _, c := range bookkeeping {
				drop[table+"."+c] = true
			}
		}
		return reRows(m, drop)
	}
	got, want = strip(got), strip(want)
	for table, rows := range want {
		g := got[table]
		if len(g) != len(rows) {
			t.Errorf("%s: %s has %d rows, want %d", what, table, len(g), len(rows))
			continue
		}
		for i := range rows {
			if g[i] != rows[i] {
				t.Errorf("%s: %s differs:\n got %s\nwant %s", what, table, g[i], rows[i])
				break
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: tables %d, want %d", what, len(got), len(want))
	}
}

// TestEveryAPIKindThroughFaults: with the default retry budget, every API
// kind comes through 3% transient faults of every kind (500s, 503s, bodies
// cut off half way, sessions and tokens expiring every 40 requests) in one
// run that exits 0, and through 15% in one run or reruns that each make
// progress; the tables are exactly those of a run without faults.
func TestEveryAPIKindThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for i, k := range apiKinds {
		t.Run(k.name, func(t *testing.T) {
			want, drop := cleanRows(t, k)
			got, faults, runs := pullThroughFaults(t, k, 0.03, uint64(100*i+1), 1)
			if faults == 0 {
				t.Fatal("no fault was injected: the run is too small to test anything")
			}
			sameTables(t, "3% faults", reRows(got, drop), want)
			got, faults, runs = pullThroughFaults(t, k, 0.15, uint64(100*i+51), 5)
			t.Logf("15%%: %d faults, %d runs", faults, runs)
			sameTables(t, "15% faults", reRows(got, drop), want)
		})
	}
}

// TestSecretsNeverLeak runs every API kind with debug logging through a
// proxy that injects faults whose bodies echo the request, headers and
// body (credentials included), then looks for every credential given to
// the job and every session or token the vendor issued in stdout, stderr
// and every file the run wrote (lake, manifests, rejects, state).
func TestSecretsNeverLeak(t *testing.T) {
	for i, k := range apiKinds {
		for _, refuse := range []int{0, 400} {
			t.Run(fmt.Sprintf("%s/refuse=%d", k.name, refuse), func(t *testing.T) { secretsStayHidden(t, k, uint64(7*i+3), refuse) })
		}
	}
}

// secretsStayHidden runs k through faults (refuse 0) or a vendor refusing
// every request (refuse 400) and looks for its credentials everywhere.
func secretsStayHidden(t *testing.T, k apiKind, seed uint64, refuse int) {
	{
		{
			dir, secretDir := t.TempDir(), t.TempDir()
			via := func(u string) string {
				p, url := newFaultProxy(t, u, 0.05, seed)
				p.refuse = refuse
				return url
			}
			r := k.setup(t, secretDir, via, true)
			job := apiJob(t, dir, r)
			code, stdout, stderr := call(t, "run", "--log-level", "debug", "--json", job)
			if (refuse != 0) != (code == exitFailed) {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, `msg="http request"`) {
				t.Fatalf("no request log lines:\n%s", stderr)
			}
			look := append([]string(nil), r.secrets...)
			look = append(look, r.issued()...)
			if refuse == 0 && len(r.issued()) == 0 && k.name != "maestroqa-coaching-api" && k.name != "cresta-coaching-plans" {
				t.Fatalf("%s issued no session or token: the test sees nothing", k.name)
			}
			outputs := map[string]string{"stdout": stdout, "stderr": stderr}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					data, _ := os.ReadFile(p)
					outputs[p] = string(data)
				}
				return nil
			})
			for where, text := range outputs {
				for _, s := range look {
					if s != "" && strings.Contains(text, s) {
						at := strings.Index(text, s)
						line := strings.Count(text[:at], "\n") + 1
						t.Errorf("a credential or session (%d chars) is in %s:%d", len(s), where, line)
					}
				}
			}
			if refuse == 0 && len(outputs) < 4 {
				t.Fatalf("the run wrote almost nothing: %v", fmt.Sprint(len(outputs)))
			}
		}
	}
}
