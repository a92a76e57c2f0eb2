package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets tests run this binary as ccetl itself (see ccetl()).
func TestMain(m *testing.M) {
	if os.Getenv("CCETL_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// ccetlCommand is `ccetl args...` as a child process: this test binary,
// which runs main when CCETL_TEST_AS_MAIN is set.
func ccetlCommand(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "CCETL_TEST_AS_MAIN=1")
	return cmd
}

// call runs the command in-process and returns its exit code and output.
func call(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := report(run(context.Background(), args, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestConvertJSONSummary(t *testing.T) {
	out := t.TempDir()
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	code, stdout, stderr := call(t, "convert", "--kind", "whit", "--out", out, "--json", in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		RowsIn       int64 `json:"rows_in"`
		RowsOut      int64 `json:"rows_out"`
		RowsRejected int64 `json:"rows_rejected"`
		Files        []struct {
			Path string `json:"path"`
			Rows int64  `json:"rows"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	var rows int64
	for _, f := range s.Files {
		rows += f.Rows
		if _, err := os.Stat(filepath.Join(out, f.Path)); err != nil {
			t.Errorf("listed file missing: %v", err)
		}
	}
	if s.RowsIn == 0 || s.RowsIn != s.RowsOut+s.RowsRejected || rows != s.RowsOut || len(s.Files) == 0 {
		t.Errorf("summary %+v", s)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n1,a,2024-01-01,00:00,1,1,1,1\n2,b,2024-13-01,00:00,1,1,1,1\n"), 0o644)
	noCols := filepath.Join(dir, "nocols.csv")
	os.WriteFile(noCols, []byte("serviceNumber\n1\n"), 0o644)
	badJob := filepath.Join(dir, "job.yaml")
	os.WriteFile(badJob, []byte("name: x\nsource: {kind: whit, inputs: [a.csv], options: {colour: red}}\nsink: {url: out}\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, exitConfig, "no command"},
		{"unknown kind", []string{"convert", "--kind", "nope", "--out", dir, bad}, exitConfig, `unknown kind "nope"`},
		{"rejects", []string{"convert", "--kind", "whit", "--out", filepath.Join(dir, "o1"), bad}, exitRejects, "1 rows rejected"},
		{"reject limit", []string{"convert", "--kind", "whit", "--max-rejects", "0", "--max-reject-ratio", "0.1", "--out", filepath.Join(dir, "o2"), bad}, exitFailed, "reject limit"},
		{"missing columns", []string{"convert", "--kind", "whit", "--out", filepath.Join(dir, "o3"), noCols}, exitFailed, "missing required columns"},
		{"bad job", []string{"validate", badJob}, exitConfig, "job.yaml:2:"},
		{"bad option", []string{"convert", "--kind", "whit", "--opt", "date_order=ymd", "--out", dir, bad}, exitConfig, "date_order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := call(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.msg)
			}
		})
	}
	// the run that broke the reject limit committed nothing
	if m, _ := filepath.Glob(filepath.Join(dir, "o2", "cal_service_interval_history", "*", "*.parquet")); len(m) != 0 {
		t.Errorf("a failed run committed %v", m)
	}
}

func TestValidateEveryShippedConfig(t *testing.T) {
	t.Chdir(repoRoot(t))
	env, err := os.ReadFile("configs/example.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			t.Setenv(k, v)
		}
	}
	files, _ := filepath.Glob(filepath.Join("configs", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no configs")
	}
	code, stdout, stderr := call(t, append([]string{"validate"}, files...)...)
	if code != exitOK || strings.Count(stdout, ": ok") != len(files) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestQuickstartJob(t *testing.T) {
	root := repoRoot(t)
	t.Chdir(root)
	out := t.TempDir()
	t.Setenv("CCETL_OUT", out)
	code, stdout, stderr := call(t, "run", "--json", "configs/quickstart.yaml")
	if code != exitOK && code != exitRejects {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		RowsOut int64 `json:"rows_out"`
		Steps   []any `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || s.RowsOut == 0 || len(s.Steps) == 0 {
		t.Fatalf("summary %s (%v)", stdout, err)
	}
}

func TestSchemaAndInspect(t *testing.T) {
	code, stdout, _ := call(t, "schema", "whit")
	if code != exitOK || !strings.Contains(stdout, "cal_service_interval_history") || !strings.Contains(stdout, "timestamp[ms, tz=UTC]") {
		t.Fatalf("schema: %d %s", code, stdout)
	}
	out := t.TempDir()
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, filepath.Join(repoRoot(t), "configs/samples/whit")); code != exitOK {
		t.Fatal(stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "cal_service_interval_history", "*", "*.parquet"))
	code, stdout, stderr := call(t, append([]string{"inspect", "--json"}, files...)...)
	if code != exitOK {
		t.Fatal(stderr)
	}
	var fi []inspectFile
	if err := json.Unmarshal([]byte(stdout), &fi); err != nil || len(fi) != len(files) {
		t.Fatalf("%v %s", err, stdout)
	}
	for _, f := range fi {
		if f.Rows == 0 || len(f.RowGroups) == 0 || f.Columns[0].Compression != "ZSTD" || f.Metadata["ccetl.table"] != "cal_service_interval_history" {
			t.Errorf("inspect %+v", f)
		}
	}
	if code, _, stderr := call(t, "inspect", filepath.Join(repoRoot(t), "go.mod")); code != exitFailed || !strings.Contains(stderr, "not a readable Parquet file") {
		t.Errorf("inspect of a non-Parquet file: %d %s", code, stderr)
	}
}

func TestStateCommands(t *testing.T) {
	t.Chdir(repoRoot(t))
	out := t.TempDir()
	t.Setenv("CCETL_OUT", out)
	if code, _, stderr := call(t, "run", "configs/quickstart.yaml"); code != exitOK {
		t.Fatalf("run: %d %s", code, stderr)
	}
	code, stdout, stderr := call(t, "state", "show", "configs/quickstart.yaml")
	// file kinds keep no cursors; the lease the run took is released
	if code != exitOK || !strings.Contains(stdout, `"job": "quickstart"`) || !strings.Contains(stdout, `"active": false`) {
		t.Fatalf("show: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := call(t, "state", "reset", "configs/quickstart.yaml"); code != exitConfig || !strings.Contains(stderr, "--yes") {
		t.Fatalf("reset without a terminal or --yes: %d %s", code, stderr)
	}
	if code, _, stderr := call(t, "state", "reset", "--yes", "configs/quickstart.yaml"); code != exitOK {
		t.Fatalf("reset: %d %s", code, stderr)
	}
}
