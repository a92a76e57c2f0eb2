package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

func TestParseReportsEveryProblemWithPosition(t *testing.T) {
	src := `name: demo
sources:
  - kind: whit
    inputs:
      - ${IN_DIR}/a.csv
    optoins: {}
sink:
  url: ${OUT}
  extra: 1
batch:
  max_rows: lots
schedule: "every day"
colour: blue
`
	_, err := Parse("job.yaml", []byte(src), MapEnv(nil))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"job.yaml:5:9: source.inputs: environment variable IN_DIR is not set",
		`job.yaml:6:5: source: unknown key "optoins"`,
		"job.yaml:8:8: sink.url: environment variable OUT is not set",
		`job.yaml:9:3: sink: unknown key "extra"`,
		"job.yaml:11:13: batch.max_rows must be a non-negative whole number",
		"job.yaml:12:11: schedule: not a valid cron expression",
		`job.yaml:13:1: job: unknown key "colour"`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(ce.Problems), len(want), got)
	}
}

func TestInterpolationDefaultsAndSecretFiles(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte("s3cr3t\n"), 0o600)
	src := `name: ${JOB:nightly}
source:
  kind: maestroqa-coaching
  options:
    api_token_file: ` + tok + `
    base_url: https://${HOST}/api
    note: "$${literal}"
sink:
  url: ${OUT:./out}
rejects: {max_count: 5, max_ratio: 0.25}
`
	job, err := Parse("j.yaml", []byte(src), MapEnv(map[string]string{"HOST": "example.test"}))
	if err != nil {
		t.Fatal(err)
	}
	o := job.Sources[0].Options
	if job.Name != "nightly" || job.Sink.URL != "./out" || o["api_token"] != "s3cr3t" || o["base_url"] != "https://example.test/api" || o["note"] != "${literal}" {
		t.Errorf("job %+v options %v", job, o)
	}
	if _, ok := o["api_token_file"]; ok {
		t.Error("the _file form was kept")
	}
	if job.Rejects.MaxCount != 5 || job.Rejects.MaxRatio != 0.25 {
		t.Errorf("rejects %+v", job.Rejects)
	}
	red := Redacted(o, []pipeline.Option{{Name: "api_token", Secret: true}})
	if red["api_token"] != "**redacted**" || red["base_url"] == "**redacted**" {
		t.Errorf("redacted %v", red)
	}
}

func TestMissingSecretFileIsAConfigError(t *testing.T) {
	src := "name: x\nsource: {kind: whit, options: {token_file: /nonexistent/tok}}\nsink: {url: out}\n"
	_, err := Parse("j.yaml", []byte(src), MapEnv(nil))
	if err == nil || !strings.Contains(err.Error(), "j.yaml:2:") || !strings.Contains(err.Error(), "token_file: cannot read the file") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckAgainstRegistry(t *testing.T) {
	reg := pipeline.NewRegistry()
	reg.AddKind(pipeline.Kind{Name: "whit", Options: []pipeline.Option{{Name: "date_order"}},
		Validate: func(m map[string]string) error {
			if m["date_order"] == "ymd" {
				return errors.New("date_order must be mdy or dmy")
			}
			return nil
		}})
	reg.AddSink(pipeline.SinkKind{Scheme: ""})
	src := `name: x
sources:
  - kind: whit
    options: {date_order: ymd}
  - kind: nope
  - kind: whit
    options: {dateorder: mdy}
transforms:
  - drop: [a]
  - explode: [b]
sink: {url: "gs://bucket/x"}
`
	job, err := Parse("j.yaml", []byte(src), MapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = Check(job, reg)
	for _, w := range []string{"j.yaml:4:14: kind whit: date_order must be mdy or dmy", `j.yaml:5:5: unknown kind "nope"`,
		"j.yaml:7:15: kind whit: unknown option dateorder (known: date_order)", `j.yaml:10:5: unknown transform "explode"`,
		"j.yaml:11:7: no sink for gs:// URLs"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in %v", w, err)
		}
	}
}

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.csv", "b.csv", "c.json"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	got, err := ExpandInputs([]string{filepath.Join(dir, "*.csv"), "s3://b/k*"})
	if err != nil || len(got) != 3 || got[2] != "s3://b/k*" {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := ExpandInputs([]string{filepath.Join(dir, "*.xml")}); err == nil {
		t.Error("a glob matching nothing was accepted")
	}
}

func TestYAMLSyntaxErrorHasLine(t *testing.T) {
	_, err := Parse("j.yaml", []byte("name: x\nsource:\n  inputs: [${A}/b]\n"), MapEnv(nil))
	if err == nil || !regexp.MustCompile(`^j\.yaml:\d+:1: not valid YAML`).MatchString(err.Error()) {
		t.Fatalf("err = %v", err)
	}
}

// target.window takes a number of changes or all, and says where it is
// wrong otherwise.
func TestTargetWindow(t *testing.T) {
	job := func(window string) string {
		src := "name: p\nsource: {kind: whit, inputs: [a.csv]}\ntarget:\n  kind: calabrio-historical-import\n"
		if window != "" {
			src += "  window: " + window + "\n"
		}
		return src + "sink: {url: out}\n"
	}
	for _, tc := range []struct {
		window string
		want   int
	}{{"", DefaultWindow}, {"5000", 5000}, {"all", 0}} {
		j, err := Parse("job.yaml", []byte(job(tc.window)), MapEnv(nil))
		if err != nil {
			t.Fatalf("window %q: %v", tc.window, err)
		}
		if got := j.Target.window(); got != tc.want {
			t.Errorf("window %q: %d, want %d", tc.window, got, tc.want)
		}
	}
	for _, bad := range []string{"0", "lots", "[1]"} {
		_, err := Parse("job.yaml", []byte(job(bad)), MapEnv(nil))
		if err == nil || !strings.Contains(err.Error(), "job.yaml:5:11: target.window") {
			t.Errorf("window %s: %v, want an error at its position", bad, err)
		}
	}
}
