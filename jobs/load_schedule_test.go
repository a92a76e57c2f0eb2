package jobs

import (
	"strings"
	"testing"
	"time"
)

func TestScheduleKeys(t *testing.T) {
	src := `name: hourly
schedule: "@every 15m"
time_zone: Europe/Paris
jitter: 2m
overlap: buffer_one
catchup_window: 6h
source: {kind: whit, inputs: [a.csv]}
sink: {url: out}
`
	job, err := Parse("job.yaml", []byte(src), MapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if job.Schedule != "@every 15m" || job.TimeZone != "Europe/Paris" || job.Jitter != 2*time.Minute ||
		job.Overlap != "buffer_one" || job.CatchupWindow != 6*time.Hour {
		t.Errorf("job %+v", job)
	}
	// CRON_TZ= in the expression works without the key
	if _, err := Parse("job.yaml", []byte("name: a\nschedule: \"CRON_TZ=America/New_York 0 3 * * *\"\nsource: {kind: whit}\nsink: {url: out}\n"), MapEnv(nil)); err != nil {
		t.Errorf("CRON_TZ: %v", err)
	}
}

func TestScheduleKeyProblems(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"schedule: \"0 3 * * *\"\ntime_zone: Mars/Olympus\n", `job.yaml:3:12: time_zone: "Mars/Olympus" is not a known IANA time zone`},
		{"schedule: \"CRON_TZ=UTC 0 3 * * *\"\ntime_zone: Europe/Paris\n", "job.yaml:2:11: schedule: not a valid cron expression"},
		{"schedule: \"0 25 * * *\"\n", "job.yaml:2:11: schedule: not a valid cron expression"},
		{"schedule: \"@daily\"\noverlap: queue\n", "job.yaml:3:10: overlap: want skip (the default), buffer_one or allow"},
		{"schedule: \"@daily\"\njitter: soon\n", "job.yaml:3:9: jitter must be a duration such as 90s, 15m or 2h"},
		{"schedule: \"@daily\"\ncatchup_window: -1h\n", "job.yaml:3:17: catchup_window must be a duration"},
		{"catchup_window: 1h\n", "job.yaml:2:17: this key says how a schedule runs, and the job has no schedule"},
	} {
		src := "name: j\n" + tc.src + "source: {kind: whit}\nsink: {url: out}\n"
		_, err := Parse("job.yaml", []byte(src), MapEnv(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}
