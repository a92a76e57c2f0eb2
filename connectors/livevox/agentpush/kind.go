package agentpush

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/livevox"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name: the pull kind's.
const KindName = livevox.KindName

// Entities, in the order the target writes them.
const (
	Agents   = "agents"
	Skills   = "agent_skills"
	Services = "agent_services"
)

// agentFields are the agent's fields and their Create/Update keys.
var agentFields = []struct {
	pipeline.Field
	wire string
}{
	{pipeline.Field{Name: "login_id", Type: pipeline.TypeString, Required: true,
		Doc: "ACD login id; the key, compared without case"}, "loginId"},
	{pipeline.Field{Name: "id", Type: pipeline.TypeInt,
		Doc: "the agent's id where the rows come from (a pulled lv_agent): resolves agent_id of skill and service rows; never sent"}, ""},
	{pipeline.Field{Name: "first_name", Type: pipeline.TypeString, Doc: "required to create"}, "firstName"},
	{pipeline.Field{Name: "last_name", Type: pipeline.TypeString, Doc: "required to create"}, "lastName"},
	{pipeline.Field{Name: "password", Type: pipeline.TypeString,
		Doc: "required to create: at least 8 characters and a digit; sent only when the agent is created, never stored or shown"}, ""},
	{pipeline.Field{Name: "phone", Type: pipeline.TypeString, Doc: "required to create"}, "phone"},
	{pipeline.Field{Name: "wrap_up_time", Type: pipeline.TypeInt, Doc: "required to create: seconds of after-call work, -1 for unlimited"}, "wrapUpTime"},
	{pipeline.Field{Name: "home_agent", Type: pipeline.TypeBool, Doc: "required to create"}, "homeAgent"},
	{pipeline.Field{Name: "active", Type: pipeline.TypeBool, Doc: "required to create"}, "active"},
}

// compared are the agent keys the plan compares with Read Agent's.
var compared = []string{"firstName", "lastName", "phone", "wrapUpTime", "homeAgent", "active"}

// createKeys are the keys Create Agent requires besides clientId and
// password (the reference's nine mandatory keys).
var createKeys = []string{"loginId", "firstName", "lastName", "phone", "wrapUpTime", "homeAgent", "active"}

var agentRef = []pipeline.Field{
	{Name: "agent_id", Type: pipeline.TypeInt, Doc: "the agent's id in the agents rows (field id); or give agent_login_id"},
	{Name: "agent_login_id", Type: pipeline.TypeString, Doc: "the agent's login id"},
}

// Entities returns the target's entities.
func Entities() []pipeline.Entity {
	a := pipeline.Entity{Name: Agents, Table: livevox.AgentTableName, Key: []string{"login_id"},
		Doc: "agents, upserted by login id (List Agents, Read Agent, Create, Update; Delete with delete_missing)"}
	for _, f := range agentFields {
		a.Fields = append(a.Fields, f.Field)
	}
	return []pipeline.Entity{a,
		{Name: Skills, Table: livevox.SkillAssignTableName, Key: []string{"agent_login_id", "skill_id"},
			Doc: "an agent's skills: when rows are given, each agent's skills become exactly its rows (Add and Remove Agent Skill)",
			Fields: append(append([]pipeline.Field{}, agentRef...),
				pipeline.Field{Name: "skill_id", Type: pipeline.TypeInt, Required: true, Doc: "an agent skill of the client"},
				pipeline.Field{Name: "proficiency", Type: pipeline.TypeInt, Required: true, Doc: "1 to 5"})},
		{Name: Services, Table: livevox.ServiceAssignTableName, Key: []string{"agent_login_id", "service_id"},
			Doc: "an agent's services: when rows are given, each agent's services become exactly its rows (Add and Remove Service); ACD services only",
			Fields: append(append([]pipeline.Field{}, agentRef...),
				pipeline.Field{Name: "service_id", Type: pipeline.TypeInt, Required: true, Doc: "an ACD service"})},
	}
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		Name: KindName,
		Doc: "LiveVox Configuration API agents: upsert by login id with skills (proficiency 1-5) and services reconciled " +
			"through their add and remove calls; deletes agents the input lacks only with delete_missing",
		Entities: Entities(),
		Options: append(connOptions(),
			pipeline.Option{Name: "delete_missing", Default: "false",
				Doc: "delete the client's agents the input lacks (listed first in the plan)"},
			pipeline.Option{Name: "acd_services", Doc: "comma-separated ids of the client's ACD services: any other service " +
				"is refused before a request (services already assigned on the client count as ACD too)"}),
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

type options struct {
	deleteMissing bool
	acd           map[int64]bool // nil: not given
}

func parseOptions(m map[string]string) (options, error) {
	if _, err := livevox.ParseOptions(m); err != nil {
		return options{}, err
	}
	var o options
	var p apiopt.Problems
	switch v := strings.ToLower(strings.TrimSpace(m["delete_missing"])); v {
	case "", "false":
	case "true":
		o.deleteMissing = true
	default:
		p.Add("delete_missing must be true or false")
	}
	if v := strings.TrimSpace(m["acd_services"]); v != "" {
		o.acd = map[int64]bool{}
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || n <= 0 {
				p.Add("acd_services: %q is not a service id", strings.TrimSpace(s))
				continue
			}
			o.acd[n] = true
		}
	}
	return o, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	log := pipeline.OrDiscard(cfg.Logger)
	conn, err := livevox.Connect(cfg.Options, log)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", KindName, err)
	}
	return &target{conn: conn, o: o, log: log}, nil
}

// connOptions are the pull kind's options a push uses: all but what only
// a pull reads.
func connOptions() []pipeline.Option {
	var out []pipeline.Option
	for _, o := range livevox.OptionDocs {
		if o.Name != "call_centers" {
			out = append(out, o)
		}
	}
	return out
}
