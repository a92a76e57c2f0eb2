package livevox

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
)

// With call_centers, each agent's call centers (Get Agent Related
// Objects) go to lv_agent_call_center, at one more request per agent;
// without it the table stays empty and no related objects are read.
func TestCallCenters(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	before := e.Stats()
	res, out := mustRun(t, options(e, "call_centers", "true"))
	var got []string
	for _, r := range lakecheck.Table(t, out, CallCenterTableName) {
		got = append(got, fmt.Sprint(r["agent_id"], ":", r["call_center_id"]))
	}
	sort.Strings(got)
	want := e.CallCenters(49551)
	if len(want) < 4 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("call centers %v, want %v", got, want)
	}
	agents := int(res.Tables[AgentTableName].RowsOut)
	after := e.Stats()
	if n := after.Routes["GET agents/{id}/related"] - before.Routes["GET agents/{id}/related"]; n != agents {
		t.Errorf("%d related reads for %d agents", n, agents)
	}
	e2 := livevoxtest.New(t, livevoxtest.Options{})
	res2, out2 := mustRun(t, options(e2))
	if n := len(lakecheck.Table(t, out2, CallCenterTableName)); n != 0 || e2.Stats().Routes["GET agents/{id}/related"] != 0 {
		t.Errorf("without call_centers: %d rows, %d related reads", n, e2.Stats().Routes["GET agents/{id}/related"])
	}
	if res2.Tables[AgentTableName].RowsOut != res.Tables[AgentTableName].RowsOut {
		t.Error("the option changed the agents pulled")
	}
}
