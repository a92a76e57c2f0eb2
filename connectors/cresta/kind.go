package cresta

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the pull kind of Cresta coaching plans.
const KindName = "cresta-coaching-plans"

// limitKey is the limiter key of every request.
const limitKey = "cresta"

// Kind is the cresta-coaching-plans pull kind.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name:     KindName,
		Doc:      "Cresta coaching plans by resource name, one snapshot row per plan and run (GET /v1/{name=customers/*/profiles/*/coachingPlans/*})",
		Tables:   []pipeline.Table{Table},
		Options:  OptionDocs,
		Validate: func(m map[string]string) error { _, err := ParseOptions(m); return err },
		Open:     open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	client, budget, err := NewClient(o, cfg.Logger)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	snap := now.UTC().Truncate(time.Millisecond)
	stamp := snap.Format("2006-01-02T15:04:05.000Z")
	s := &source{
		o:      o,
		client: client,
		budget: budget,
		b:      rowbuild.NewBatcher(cfg.Mem, Table, cfg.Policy),
		snap:   snap.UnixMilli(),
		input:  fmt.Sprintf("cresta:%s/v1/coachingPlans?snapshot_at=%s", o.BaseURL, stamp),
		bytes:  cfg.BytesCounter(),
		log:    cfg.Logger,
	}
	s.log = pipeline.OrDiscard(s.log)
	key := pipeline.RunKey(KindName, append([]string{o.BaseURL, "snapshot_at=" + stamp}, o.Plans...))
	return pipeline.OpenedSource{Source: s, RunKey: key}, nil
}

// NewClient is the HTTP client of every Cresta kind: the bearer token, the
// request windows of rate_limit and a retry budget of retry_budget.
func NewClient(o Options, logger *slog.Logger) (*httpx.Client, *httpx.RetryBudget, error) {
	budget := httpx.NewRetryBudget(o.RetryBudget)
	client, err := httpx.New(httpx.Config{
		Vendor: limitKey,
		Auth:   httpx.Bearer(o.Token),
		Limits: httpx.Limits{limitKey: o.Limits},
		Quota:  httpx.QuotaKey(limitKey, o.BaseURL, o.Token.Reveal()),
		Budget: budget,
		Logger: logger,
	})
	return client, budget, err
}
