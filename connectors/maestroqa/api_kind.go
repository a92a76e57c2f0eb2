package maestroqa

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// APIKindName is the pull kind of the coaching export API.
//
// # Requests
//
// POST <base_url>/api/v1/coaching-sessions with the header apiToken and the
// body {"startDate", "endDate", "timeAxis"}: one request per window, the
// fewest the API allows, since it has no pagination. Every request goes
// through httpx: the rate_limit windows (1 a second and 30 a minute, the
// documented "Hard Endpoints" bucket), retries with full-jitter backoff on
// 429 (the body says which window was full; no Retry-After is documented),
// 5xx and failed connections, up to max_attempts per request and
// retry_budget per run. Other statuses fail the run at once with the
// vendor's message: 400 {"error": "..."}, 401 and 403 (a static token that
// was refused stays refused; tokens expire after 90 days by default).
//
// # Windows
//
// The run pulls the days [start, end), or, without start, from the saved
// cursor less repull_days up to the day after the run's date. The days are
// covered by whole windows of a fixed grid of window_days days counted from
// 1970-01-01: a window is always the same days whichever run asks for it,
// so its Batch.Input ("maestroqa:<url>?startDate=..&endDate=..&timeAxis=..")
// is the same and a rerun, or the trailing re-pull of a resumed run,
// replaces the window's files instead of repeating their rows. A backfill
// that starts on the grid (GridStart) takes ceil(days/window_days)
// requests; one that does not may take one more.
//
// The reference does not say whether endDate is inclusive (doc error 60).
// By default (end_date=inclusive) a window [a, b) is asked for as
// startDate=a, endDate=b-1 day; with end_date=exclusive as endDate=b.
// Either way consecutive windows ask for disjoint days, so no session is
// counted twice, and a window of 90 days is "within 90 days" however that
// is counted. Should the API read endDate the other way, inclusive loses
// each window's last day and exclusive asks for a boundary day twice; the
// second is visible (the Decoder merges a session seen twice, the run
// report counts "sessions_repeated" and the run logs a warning), the
// first is not, which is why end_date must be checked against the tenant.
//
// The cursor (CursorName(time_axis), CursorReporter) is the end of the last
// window, but not past the start of the run's day, which is not over yet,
// and never before the saved cursor. The job commits it after the data.
//
// Checkpoints: after the last batch of each window the source emits a
// checkpoint batch (pipeline.Batch Checkpoint) naming the window's Input,
// with the cursor the same rule gives for the windows done so far (the
// end of that window, capped at the run's day, never before the saved
// cursor; no cursor while that is none), so a run that fails later keeps
// the windows it finished. With duplicates=latest every window is fetched
// and prescanned before any is decoded; the checkpoints then follow the
// windows as they are decoded at the end, so they keep progress only
// against a failure while decoding (a failed fetch fails the run before
// the first checkpoint). That is still correct: a copy not written in a
// checkpointed window because a later window holds a newer one is in a
// window past the cursor, which the next run pulls again.
//
// # Bodies and memory
//
// Each response body is copied to a temporary file (spool_dir, at most
// max_body_bytes) and then streamed from it into the Decoder one session at
// a time, so memory holds one session, never a body. Spooling is what lets
// a body that breaks off mid-way be asked for again (httpx.Stream does not
// retry once the headers are in) without any of its rows having been
// emitted; those repeats are bounded by max_attempts per window and each
// spends one retry of retry_budget (httpx.RetryBudget.Spend). With duplicates=first (the default) one body is on disk at a
// time; duplicates=latest keeps every window's body until the run ends, to
// Prescan them all and write the copy with the latest updatedAt.
//
// # Known limits
//
// Points and to-dos are written once per run, under the first window that
// carries them. A point linked to sessions of two windows is therefore in
// the file of the earlier window; a later run that pulls only the later
// window writes it again there, so across runs mqa_coaching_point, mqa_todo
// and their form links can hold one copy per window file: read them by id,
// keeping the latest updated_at. Sessions and activity-log rows are exact
// on the createdAt axis; on the meetingDate axis a meeting moved to another
// window leaves its old copy in the old window's file until that window is
// pulled again.
const APIKindName = "maestroqa-coaching-api"

// APIKind is the maestroqa-coaching-api pull kind.
func APIKind() pipeline.Kind {
	return pipeline.Kind{
		Name: APIKindName,
		Doc: "MaestroQA coaching export API (POST /api/v1/coaching-sessions, apiToken header): coaching sessions, " +
			"activity logs, coaching points and to-dos in windows of at most 90 days, resumed from a cursor",
		Tables:   Tables,
		Options:  APIOptionDocs,
		Validate: func(m map[string]string) error { _, err := ParseAPIOptions(m); return err },
		Open:     openAPI,
	}
}

func openAPI(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseAPIOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	plan, err := planRun(o, cfg.Cursors, now)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", APIKindName, err)
	}
	log := pipeline.OrDiscard(cfg.Logger)
	budget := httpx.NewRetryBudget(o.RetryBudget)
	client, err := httpx.New(httpx.Config{
		Vendor:         "maestroqa",
		Auth:           httpx.StaticHeader{Name: "apiToken", Value: o.Token},
		Limits:         httpx.Limits{"maestroqa": o.Limits},
		Quota:          httpx.QuotaKey("maestroqa", o.BaseURL, o.Token.Reveal()),
		Budget:         budget,
		Logger:         log,
		AttemptTimeout: o.RequestTimeout,
		Retry:          httpx.RetryPolicy{MaxAttempts: o.MaxAttempts, BaseDelay: o.RetryDelay},
	})
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", APIKindName, err)
	}
	log = log.With(slog.String("kind", APIKindName))
	s := &apiSource{
		o:      o,
		log:    log,
		client: client,
		budget: budget,
		api:    newExportAPI(client, o, budget, cfg.BytesCounter(), log),
		d:      NewDecoder(cfg.Mem, cfg.Policy),
		plan:   plan,
	}
	ws := plan.windows
	key := pipeline.RunKey(APIKindName, []string{o.BaseURL + SessionsPath, "timeAxis=" + o.TimeAxis,
		"windows=" + s.api.body(ws[0]).StartDate + "/" + s.api.body(ws[len(ws)-1]).EndDate})
	return pipeline.OpenedSource{Source: s, RunKey: key}, nil
}
