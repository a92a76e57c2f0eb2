package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// TestPullKeepsFinishedWindowsWhenItFails runs a MaestroQA backfill of four
// 10-day windows with `ccetl run`. The third window's request fails for
// good (a persistent 500 past the retries), so the run fails: the two
// windows before it stay committed and the job's cursor says so. The next
// run, without a start date, resumes from the cursor and ends with every
// session exactly once.
func TestPullKeepsFinishedWindowsWhenItFails(t *testing.T) {
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	first := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 40, First: first, Every: 24 * time.Hour}))
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte(emu.Token()), 0o600)
	write := func(start string) string {
		p := filepath.Join(dir, "job.yaml")
		opts := fmt.Sprintf("      base_url: %s\n      api_token_file: %s\n      window_days: \"10\"\n      repull_days: \"0\"\n      end: \"2024-02-10\"\n      max_attempts: \"2\"\n      retry_delay: 1ms\n      rate_limit: 1000/1s\n", emu.URL(), tok)
		if start != "" {
			opts += "      start: \"" + start + "\"\n"
		}
		os.WriteFile(p, []byte("name: mqa-backfill\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+opts+"sink: {url: "+filepath.Join(dir, "out")+"}\n"), 0o644)
		return p
	}
	// windows on the 10-day grid from 1970: the third request fails twice
	emu.Inject(maestroqatest.Fault{After: 2, Times: 2, Status: http.StatusInternalServerError, Message: "internal error"})
	code, _, stderr := call(t, "run", write("2024-01-01"))
	if code != exitFailed {
		t.Fatalf("exit %d, want the failure: %s", code, stderr)
	}
	code, stdout, stderr := call(t, "state", "show", write(""))
	if code != exitOK || !strings.Contains(stdout, "window_end") {
		t.Fatalf("state after the failed run: %s %s", stdout, stderr)
	}
	sessions := func() map[string]int {
		seen := map[string]int{}
		files, _ := filepath.Glob(filepath.Join(dir, "out", "mqa_coaching_session", "*", "*.parquet"))
		for _, f := range files {
			rows, err := readColumn(f, "id")
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range rows {
				seen[id]++
			}
		}
		return seen
	}
	kept := sessions()
	if len(kept) == 0 || len(kept) >= 40 {
		t.Fatalf("%d sessions kept after the failed run: want the finished windows' only", len(kept))
	}
	code, stdout, stderr = call(t, "run", "--json", write(""))
	if code != exitOK {
		t.Fatalf("resume: exit %d %s", code, stderr)
	}
	var sum struct {
		RowsOut int64 `json:"rows_out"`
	}
	json.Unmarshal([]byte(stdout), &sum)
	all := sessions()
	if len(all) != 40 {
		t.Fatalf("%d sessions after the resume, want 40", len(all))
	}
	for id, n := range all {
		if n != 1 {
			t.Fatalf("session %s written %d times", id, n)
		}
	}
}
