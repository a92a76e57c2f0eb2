package agentpush

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

// BenchmarkSync pushes 2,345 agents with two skills each into a client
// that has them all, a tenth of them changed (a first name and a skill's
// proficiency), at a rate limit of 1,000 requests a second that the
// emulator enforces. It checks that the push makes one read per agent,
// two writes per changed agent and none for the others, and reports the
// time over the floor the rate limit implies (x-floor; 1.1 is the bound).
//
//	go test -run '^$' -bench Sync -benchtime 3x ./connectors/livevox/agentpush
func BenchmarkSync(b *testing.B) {
	const agents, first, rate = 2345, 10000, 1000
	e := livevoxtest.New(b, livevoxtest.Options{Limits: []livevoxtest.Window{{Requests: rate, Per: time.Second}}})
	e.PutSkill(client, 501, "Billing", "")
	e.PutSkill(client, 502, "Spanish", "")
	e.AddAgents(client, first, agents, []int64{501, 502})
	var recs []pipeline.Record
	changed := 0
	for i := range agents {
		login := fmt.Sprintf("GEN%d", first+i)
		name := "Gen"
		prof := int64((i)%5 + 1) // as AddAgents gives skill 501
		if i%10 == 0 {
			name, prof = "Changed", int64((i+1)%5+1)
			changed++
		}
		recs = append(recs, rec(Agents, fmt.Sprintf("agents[%d]", i), "login_id", login, "first_name", name),
			rec(Skills, fmt.Sprintf("skills[%d]", 2*i), "agent_login_id", login, "skill_id", int64(501), "proficiency", prof),
			rec(Skills, fmt.Sprintf("skills[%d]", 2*i+1), "agent_login_id", login, "skill_id", int64(502), "proficiency", int64((i+1)%5+1)))
	}
	opts := emuOptions(e, "rate_limit", fmt.Sprintf("%d/1s", rate))
	var ratio float64 // the sum over pushes of their time over their floor
	var requests int
	for i := 0; b.Loop(); i++ {
		if i > 0 {
			// a run's limiter starts empty: let the server's window of the
			// run before pass, as between two runs of a job
			time.Sleep(time.Second + 100*time.Millisecond)
		}
		before, writes := e.Stats(), e.Writes()
		start := time.Now()
		tg, err := Kind().Open(context.Background(), pipeline.TargetConfig{Kind: KindName, Options: opts})
		if err != nil {
			b.Fatal(err)
		}
		led := pushtest.NewLedger()
		p, err := tg.Plan(context.Background(), recs, led)
		if err != nil {
			b.Fatal(err)
		}
		if err := tg.Apply(context.Background(), p, &pushtest.Journal{Ledger: led, Plan: p}); err != nil {
			b.Fatal(err)
		}
		tg.Close()
		took := time.Since(start)
		after := e.Stats()
		requests = after.Requests - before.Requests
		floor := time.Duration(requests-1) * time.Second / rate // the first request needs no wait
		ratio += float64(took) / float64(floor)
		wantWrites := 2 * changed
		if i > 0 {
			wantWrites = 0 // the first push made every change
		}
		if n := e.Writes() - writes; n != wantWrites {
			b.Fatalf("push %d: %d writes, want %d", i+1, n, wantWrites)
		}
		if n := after.Routes["GET agents/{id}"] - before.Routes["GET agents/{id}"]; n != agents {
			b.Fatalf("%d reads, want one per agent (%d)", n, agents)
		}
		if after.TooManyRequests != before.TooManyRequests {
			b.Fatal("the push was refused by the rate limit")
		}
	}
	b.ReportMetric(float64(requests), "requests/op") // of the last push: one with no change
	b.ReportMetric(ratio/float64(b.N), "x-floor")
}
