package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
)

const lvClient = 49551 // the emulator's default user's client

// lvTenant is the emulator with the client's skills 501 and 502 and
// generated agents GEN<first>.. with the given skills.
func lvTenant(t *testing.T, first int64, n int, skills []int64) *livevoxtest.Emulator {
	e := livevoxtest.New(t, livevoxtest.Options{})
	e.PutSkill(lvClient, 501, "Billing", "")
	e.PutSkill(lvClient, 502, "Spanish", "")
	e.AddAgents(lvClient, first, n, skills)
	return e
}

func lvOptions(t *testing.T, dir string, e *livevoxtest.Emulator) string {
	u := livevoxtest.DefaultUser
	return fmt.Sprintf(`{base_url: %s, access_token_file: %s, client_name: %s, username: %s, password_file: %s,
      rate_limit: none, retry_delay: 1ms}`, e.URL, writeSecret(t, dir, "lvtok", livevoxtest.DefaultToken), u.ClientName,
		u.UserName, writeSecret(t, dir, "lvpw", u.Password))
}

// lvPull pulls e into a new lake and returns its folder.
func lvPull(t *testing.T, e *livevoxtest.Emulator) string {
	t.Helper()
	dir := t.TempDir()
	job := filepath.Join(dir, "pull.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf("name: lv-pull\nsource: {kind: livevox-agents, options: %s}\nsink: {url: %s/lake}\n",
		lvOptions(t, dir, e), dir)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("pull: exit %d: %s\n%s", code, stderr, stdout)
	}
	return filepath.Join(dir, "lake")
}

// lvSyncJob writes a job that pushes the agent tables of lake into e,
// deleting the agents the lake lacks; new agents get an initial password.
func lvSyncJob(t *testing.T, lake string, e *livevoxtest.Emulator) string {
	dir := t.TempDir()
	job := filepath.Join(dir, "sync.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf(`name: lv-sync
sources:
  - {kind: parquet, inputs: [%[1]s/lv_agent]}
  - {kind: parquet, inputs: [%[1]s/lv_agent_skill_assignment]}
  - {kind: parquet, inputs: [%[1]s/lv_agent_service_assignment]}
target:
  kind: livevox-agents
  options: %[2]s
  map:
    agents:
      fields:
        password: {const: Welcome2024}
sink: {url: %[3]s/out}
`, lake, strings.Replace(lvOptions(t, dir, e), "{", "{delete_missing: \"true\", ", 1), dir)), 0o644)
	return job
}

// agentTables are a pulled lake's agents and assignments by login id,
// without ids, times and the snapshot: what two tenants can share.
func agentTables(t *testing.T, lake string) map[string][]string {
	rows := lakeRows(t, lake)
	cells := func(row string) map[string]string {
		m := map[string]string{}
		for _, kv := range strings.Split(strings.TrimSuffix(row, "|"), "|") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		return m
	}
	login := map[string]string{}
	out := map[string][]string{}
	for _, r := range rows["lv_agent"] {
		c := cells(r)
		login[c["id"]] = c["login_id"]
		out["lv_agent"] = append(out["lv_agent"], fmt.Sprint(c["login_id"], c["first_name"], c["last_name"], c["phone"],
			c["wrap_up_time"], c["home_agent"], c["active"]))
	}
	for _, r := range rows["lv_agent_skill_assignment"] {
		c := cells(r)
		out["skills"] = append(out["skills"], login[c["agent_id"]]+" "+c["skill_id"]+" "+c["proficiency"])
	}
	for _, r := range rows["lv_agent_service_assignment"] {
		c := cells(r)
		out["services"] = append(out["services"], login[c["agent_id"]]+" "+c["service_id"])
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// TestPushLiveVoxSync pulls the agents of one tenant and pushes them into
// another, seeded differently, with delete_missing: a pull of the second
// then equals the first (ids aside); a second push writes nothing.
func TestPushLiveVoxSync(t *testing.T) {
	a := lvTenant(t, 500, 20, []int64{501, 502}) // GEN500..GEN519
	b := lvTenant(t, 510, 20, []int64{501})      // GEN510..GEN529: 10 shared, 10 to delete
	lake := lvPull(t, a)
	job := lvSyncJob(t, lake, b)

	if code, stdout, stderr := call(t, "plan", job); code != exitOK || b.Writes() != 0 ||
		!strings.Contains(stdout, "delete") || !strings.Contains(stdout, "create") {
		t.Fatalf("plan: exit %d, %d writes: %s\n%s", code, b.Writes(), stderr, stdout)
	}
	code, stdout, stderr := call(t, "run", job)
	if code != exitOK {
		t.Fatalf("push: exit %d: %s\n%s", code, stderr, stdout)
	}
	if !reflect.DeepEqual(b.Agents(lvClient), a.Agents(lvClient)) {
		t.Fatalf("the second tenant differs from the first after the sync:\n%v\nwant\n%v", b.Agents(lvClient), a.Agents(lvClient))
	}
	if got, want := agentTables(t, lvPull(t, b)), agentTables(t, lake); !reflect.DeepEqual(got, want) {
		t.Fatalf("pulled again:\n%v\nwant\n%v", got, want)
	}
	writes := b.Writes()
	if code, stdout, stderr := call(t, "run", job); code != exitOK || b.Writes() != writes {
		t.Fatalf("rerun: exit %d, %d more writes: %s\n%s", code, b.Writes()-writes, stderr, stdout)
	}
}

// TestPushLiveVoxRefusesBadRows: rows that break the documented rules are
// refused with their reason before any request, and the rest is pushed:
// here every new agent's password is too short, so the agents the second
// tenant lacks are refused, with their skills and services, while the
// shared agents are updated and the others deleted.
func TestPushLiveVoxRefusesBadRows(t *testing.T) {
	a := lvTenant(t, 500, 20, []int64{501, 502})
	b := lvTenant(t, 510, 20, []int64{501})
	job := lvSyncJob(t, lvPull(t, a), b)
	data, _ := os.ReadFile(job)
	os.WriteFile(job, []byte(strings.Replace(string(data), "{const: Welcome2024}", "{const: short1}", 1)), 0o644)
	code, stdout, _ := call(t, "run", job)
	if code == exitOK {
		t.Fatalf("a push with refused rows exits 0: %s", stdout)
	}
	rejects := readRejects(t, filepath.Join(filepath.Dir(job), "out"))
	if !strings.Contains(rejects, "shorter than 8") || !strings.Contains(rejects, "was refused") {
		t.Errorf("the rejects do not give the reasons:\n%s", rejects)
	}
	got, want := b.Agents(lvClient), a.Agents(lvClient)
	for login, w := range want {
		g, ok := got[login]
		switch {
		case strings.HasPrefix(login, "GEN50"): // new to b: refused
			if ok {
				t.Errorf("%s was created with a refused password", login)
			}
		case !reflect.DeepEqual(g, w):
			t.Errorf("%s: %+v, want %+v", login, g, w)
		}
	}
	for login := range got {
		if _, ok := want[login]; !ok {
			t.Errorf("%s was not deleted", login)
		}
	}
}

// readRejects returns the rejects files of a lake, joined.
func readRejects(t *testing.T, lake string) string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(lake, "_rejects", "*", "*.jsonl"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestPushLiveVoxKilledMidwayResumes kills a sync with SIGKILL while its
// twelfth write (past the ten deletes: an agent's Create or Update) is in
// flight (LiveVox carries it out anyway), then runs it
// again: the tenant ends as a sync never killed leaves it.
func TestPushLiveVoxKilledMidwayResumes(t *testing.T) {
	var n atomic.Int32
	arrived := make(chan struct{}, 1)
	hook := func(r *http.Request) {
		if r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/configuration/agents") && n.Add(1) == 12 {
			arrived <- struct{}{}
			time.Sleep(300 * time.Millisecond)
		}
	}
	a := lvTenant(t, 500, 20, []int64{501, 502})
	lake := lvPull(t, a)
	b := livevoxtest.New(t, livevoxtest.Options{OnRequest: hook})
	b.PutSkill(lvClient, 501, "Billing", "")
	b.PutSkill(lvClient, 502, "Spanish", "")
	b.AddAgents(lvClient, 510, 20, []int64{501})
	job := lvSyncJob(t, lake, b)
	killDuringUpload(t, job, arrived)
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("rerun after the kill: exit %d: %s\n%s", code, stderr, stdout)
	}
	if !reflect.DeepEqual(b.Agents(lvClient), a.Agents(lvClient)) {
		t.Fatalf("after kill and resume:\n%v\nwant\n%v", b.Agents(lvClient), a.Agents(lvClient))
	}
}
