package planpush

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ccetl/ccetl/connectors/cresta"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name.
const KindName = "cresta-coaching-plans"

// EntityName is the target's one entity.
const EntityName = "scorecard_links"

// TableName is the table whose rows are the entity's records unless a job
// maps another: one row per link between a coaching plan and a scorecard.
const TableName = "cresta_coaching_plan_scorecard"

// Field names of scorecard_links.
const (
	fPlan      = "plan"
	fScorecard = "scorecard"
	fWanted    = "wanted"
)

// Entity is the scorecard_links entity.
func Entity() pipeline.Entity {
	return pipeline.Entity{
		Name:  EntityName,
		Table: TableName,
		Doc:   "links between a coaching plan and a scorecard, keyed by plan and scorecard: added when wanted, removed when not",
		Key:   []string{fPlan, fScorecard},
		Fields: []pipeline.Field{
			{Name: fPlan, Type: pipeline.TypeString, Required: true,
				Doc: "coaching plan resource name customers/{customer_id}/profiles/{profile_id}/coachingPlans/{coaching_plan_id}"},
			{Name: fScorecard, Type: pipeline.TypeString, Required: true,
				Doc: "scorecard resource name customers/{customer_id}/profiles/{profile_id}/scorecards/{scorecard_id}, of the plan's customer"},
			{Name: fWanted, Type: pipeline.TypeBool,
				Doc: "true (or null): the link is added (addScorecard); false: it is removed (removeScorecard)"},
		},
	}
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		Name: KindName,
		Doc: "Cresta coaching plans: links scorecards to plans (POST /v1/{plan}:addScorecard) and unlinks them (:removeScorecard); " +
			"plans are read to check they exist, links cannot be read back, so reruns rely on the job's ledger",
		Entities: []pipeline.Entity{Entity()},
		Options:  cresta.ConnOptionDocs,
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

func parseOptions(m map[string]string) (cresta.Options, error) {
	var p apiopt.Problems
	o := cresta.ParseConnOptions(m, &p)
	return o, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	client, _, err := cresta.NewClient(o, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", KindName, err)
	}
	log := pipeline.OrDiscard(cfg.Logger)
	return &target{o: o, client: client, ent: Entity(), log: log}, nil
}

// target is a connection to one Cresta tenant's coaching service.
type target struct {
	o      cresta.Options
	client *httpx.Client
	ent    pipeline.Entity
	log    *slog.Logger
}

func (t *target) Close() error {
	return t.client.Close(context.Background())
}
