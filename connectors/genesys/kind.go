package genesys

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the pull kind of Genesys Cloud coaching appointments.
const KindName = "genesys-coaching"

// Kind is the genesys-coaching pull kind.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: KindName,
		Doc: "Genesys Cloud coaching appointments of the configured users (without user_ids: of every active user, also written to gen_user), " +
			"with their attendees, status history and annotations (GET /api/v2/coaching/appointments, .../statuses, .../annotations, " +
			"GET /api/v2/users; OAuth client credentials)",
		Tables:   Tables,
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
	sp, err := plan(o, cfg.Cursors, now)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	log := pipeline.OrDiscard(cfg.Logger)
	budget := httpx.NewRetryBudget(o.RetryBudget)
	client, err := httpx.New(httpx.Config{
		Vendor: "genesys",
		Auth:   newAuth(o.LoginURL, o.ClientID, o.ClientSecret),
		Limits: httpx.Limits{limitAPI: o.Limits},
		Quota:  httpx.QuotaKey("genesys", o.LoginURL, o.APIURL, o.ClientID),
		Budget: budget,
		Logger: log,
	})
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	s := &source{
		o:        o,
		log:      log.With(slog.String("kind", KindName)),
		client:   client,
		budget:   budget,
		api:      &api{c: client, base: o.APIURL, pageSize: o.PageSize, bytes: cfg.BytesCounter()},
		span:     sp,
		cells:    cells(sp.from, sp.to, o.WindowDays),
		chunks:   chunk(o.UserIDs, o.UsersPerRequest),
		usersKey: usersKey(o.UserIDs),
		allUsers: len(o.UserIDs) == 0,
		seen:     map[string]bool{},
		pageNo:   1,
	}
	for _, t := range Tables {
		s.batchers = append(s.batchers, rowbuild.NewBatcher(cfg.Mem, t, cfg.Policy))
	}
	first, last := s.cells[0], s.cells[len(s.cells)-1]
	key := pipeline.RunKey(KindName, []string{o.APIURL, "interval=" + cell{first.Start, last.End}.interval(), "users=" + s.usersKey})
	return pipeline.OpenedSource{Source: s, RunKey: key}, nil
}

// chunk cuts ids into groups of at most n.
func chunk(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return append(out, ids)
}

// usersKey is a short stable name of a user set, so that jobs pulling
// different users into one lake do not replace each other's files; "all"
// for every user of the organization.
func usersKey(ids []string) string {
	if len(ids) == 0 {
		return "all"
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:6])
}
