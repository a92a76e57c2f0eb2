package livevox

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the kind that pulls LiveVox agents, skills and assignments.
const KindName = "livevox-agents"

const snapshotLayout = "2006-01-02T15:04:05.000Z"

// Kind is the livevox-agents API kind. It takes no inputs: everything it
// pulls is named by its options.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: KindName,
		Doc: "LiveVox Configuration API agents snapshot: List Agents + Read Agent per agent (skills and services), " +
			"List Agent Skills; logs in through the Session API",
		Tables:   Tables,
		Options:  OptionDocs,
		Validate: func(m map[string]string) error { _, err := ParseOptions(m); return err },
		Open:     open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	if len(cfg.Inputs) > 0 {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s takes no inputs (got %d); base_url names the API", KindName, len(cfg.Inputs))
	}
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	log := pipeline.OrDiscard(cfg.Logger)
	cl, err := newClient(&o, cfg, log)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Millisecond)
	input := Identity(&o, now)
	s := &source{cfg: cfg, o: &o, cl: cl, input: input, snapshot: now.UnixMilli(),
		skills: lister{resource: "agents/skills", key: "agentSkill"}, agents: lister{resource: "agents", key: "agent"},
		seenAgents: map[int64]bool{}, seenSkills: map[int64]bool{}}
	for _, t := range Tables {
		s.batchers = append(s.batchers, rowbuild.NewBatcher(cfg.Mem, t, cfg.Policy))
	}
	return pipeline.OpenedSource{Source: s, RunKey: pipeline.RunKey(KindName, []string{input})}, nil
}

// Identity names a snapshot: the API, the client and the snapshot time. It
// is the Input of every batch and the run key's input, so a rerun with the
// same clock replaces its files and a later snapshot adds its own.
func Identity(o *Options, now time.Time) string {
	q := url.Values{"client_name": {o.ClientName}, "client": {o.ClientID}, "snapshot": {now.UTC().Format(snapshotLayout)}}
	return "livevox:" + o.BaseURL.String() + o.ConfigurationPath + "/agents?" + q.Encode()
}
