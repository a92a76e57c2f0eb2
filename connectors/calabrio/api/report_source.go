package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/pull"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// ReportKindName is the Bulk Report Data Export kind.
const ReportKindName = "calabrio-report"

// ReportCursor is the cursor a windowed report keeps: the exclusive end day
// (YYYY-MM-DD) of the last whole day exported.
const ReportCursor = "window_end"

func openReport(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := parseReportOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	table, _ := reportTable(o) // checked by parseReportOptions
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	sp := span{windows: []window{{}}}
	if o.Windowed {
		if sp, err = planDays(o.Start, o.End, o.RepullDays, o.WindowDays, ReportCursor, cfg.Cursors[ReportCursor], now); err != nil {
			return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", ReportKindName, err)
		}
	}
	k, err := newConn(o.conn, cfg)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", ReportKindName, err)
	}
	s := &reportSource{
		o: o, k: k, table: table, span: sp, extractMs: now.UnixMilli(),
		exp:    &exporter{k: k, o: o},
		rows:   rowbuild.NewBatcher(cfg.Mem, table, cfg.Policy),
		jobs:   rowbuild.NewBatcher(cfg.Mem, ExportJob, cfg.Policy),
		pageNo: 1,
	}
	ident := []string{o.conn.BaseURL, "report=" + o.ReportID, "qname=" + o.QName, "params=" + s.paramsKey()}
	if o.Windowed {
		first, last := sp.windows[0], sp.windows[len(sp.windows)-1]
		ident = append(ident, "range="+first.Start.Format(time.DateOnly)+"/"+last.End.Format(time.DateOnly))
	}
	return pipeline.OpenedSource{Source: s, RunKey: pipeline.RunKey(ReportKindName, ident)}, nil
}

// reportSource exports a report window by window, page by page. Each step
// fetches one page (through any polling and resubmits) and decodes it;
// after a window's last page both tables are flushed under the window's
// input name and, for a windowed report, a checkpoint closes the window.
type reportSource struct {
	o         reportOptions
	k         *conn
	table     pipeline.Table
	exp       *exporter
	rows      *rowbuild.Batcher
	jobs      *rowbuild.Batcher
	span      span
	extractMs int64

	wi, offset, pageNo int
	done               bool
	inputs             []pipeline.InputInfo // the windows pulled, as Batch.Input names them
	queue              []pipeline.Batch
	pages, rowsRead    int
}

func (s *reportSource) Tables() []pipeline.Table { return []pipeline.Table{s.table, ExportJob} }

func (s *reportSource) Next(ctx context.Context) (pipeline.Batch, error) {
	return pull.Next(ctx, ReportKindName, &s.queue, &s.done, s.step)
}

// step fetches and decodes the next page.
func (s *reportSource) step(ctx context.Context) error {
	w := s.span.windows[s.wi]
	in := s.input(w)
	p, err := s.exp.page(ctx, w, s.pageNo, s.offset)
	if err != nil {
		return err
	}
	s.pages++
	meta := pageMeta{qname: s.o.QName, offset: s.offset, w: w, windowed: s.o.Windowed, extractMs: s.extractMs, source: p.source}
	n, err := decodePage(p.body, s.o.Columns, s.o.DateOrder, meta, s.rows, func() { s.queue = append(s.queue, s.rows.Flush(in)) })
	if err != nil {
		return err
	}
	s.rowsRead += n
	if p.job != nil {
		p.job.rows = int64(n)
		s.exp.jobs = append(s.exp.jobs, p.job)
	}
	s.writeJobs(in)
	more := n >= s.o.PageRows
	if p.totalRows >= 0 {
		more = s.offset+n < p.totalRows && n > 0
	}
	if more {
		s.offset += n
		s.pageNo++
		return nil
	}
	if s.rows.Pending() {
		s.queue = append(s.queue, s.rows.Flush(in))
	}
	if s.jobs.Pending() {
		s.queue = append(s.queue, s.jobs.Flush(in))
	}
	s.inputs = append(s.inputs, pipeline.InputInfo{Name: in})
	if s.o.Windowed {
		s.queue = append(s.queue, s.span.checkpoint(s.wi, ReportCursor, in))
	}
	s.wi, s.offset, s.pageNo = s.wi+1, 0, 1
	s.done = s.wi == len(s.span.windows)
	return nil
}

// writeJobs appends the finished export requests to their table.
func (s *reportSource) writeJobs(in string) {
	b := s.jobs.B
	for _, j := range s.exp.jobs {
		b.SetString(jRequestID, j.ids[0])
		b.SetList(jRequestIDs, j.ids)
		b.SetString(jReportID, s.o.ReportID)
		b.SetString(jQName, s.o.QName)
		if s.o.Windowed {
			b.SetTimestamp(jWindowStart, j.w.Start.UnixMilli())
			b.SetTimestamp(jWindowEnd, j.w.End.UnixMilli())
		}
		b.SetInt(jPage, int64(j.page))
		b.SetInt(jRowOffset, int64(j.offset))
		b.SetInt(jSubmission, int64(j.submission))
		b.SetList(jStatusHistory, j.history)
		b.SetString(jFinalStatus, j.final)
		b.SetTimestamp(jSubmittedAt, j.submittedAt.UnixMilli())
		b.SetTimestamp(jFinishedAt, j.finishedAt.UnixMilli())
		b.SetInt(jPolls, int64(j.polls))
		b.SetInt(jWaitMs, j.wait.Milliseconds())
		if j.rows >= 0 {
			b.SetInt(jRows, j.rows)
		}
		s.jobs.Commit(64)
		if s.jobs.Full() {
			s.queue = append(s.queue, s.jobs.Flush(in))
		}
	}
	s.exp.jobs = s.exp.jobs[:0]
}

// Inputs names every window pulled, even one that returned no rows, so
// that the sink replaces (or removes) the files an earlier run wrote for it.
func (s *reportSource) Inputs() []pipeline.InputInfo { return s.inputs }

// input names a window's output: a rerun of the same window replaces it.
func (s *reportSource) input(w window) string {
	q := url.Values{"qname": {s.o.QName}, "params": {s.paramsKey()}}
	if s.o.Windowed {
		q.Set("window", w.Start.Format(time.DateOnly)+"/"+w.End.Format(time.DateOnly))
	}
	return ReportKindName + ":" + s.o.conn.BaseURL + fmt.Sprintf(exportPathFmt, url.PathEscape(s.o.ReportID)) + "?" + q.Encode()
}

// paramsKey is a short stable name of the params template (it may be
// long, and names team IDs and such).
func (s *reportSource) paramsKey() string {
	sum := sha256.Sum256([]byte(s.o.Params))
	return hex.EncodeToString(sum[:6])
}

// Cursors reports the new window_end of a windowed report.
func (s *reportSource) Cursors() map[string]string {
	if !s.o.Windowed || !s.done {
		return nil
	}
	return map[string]string{ReportCursor: s.span.cursor}
}

// Report describes the run.
func (s *reportSource) Report() map[string]any {
	m := map[string]any{
		"windows": len(s.span.windows), "pages": s.pages, "rows": s.rowsRead, "export_posts": s.exp.posts,
		"sync_answers": s.exp.syncAnswers, "async_requests": s.exp.asyncRequests, "resubmits": s.exp.resubmits,
		"polls": s.exp.polls,
	}
	if s.o.Windowed {
		m["cursor"] = s.span.cursor
	}
	return s.k.report(m)
}

func (s *reportSource) Close() error {
	s.k.close()
	for _, q := range s.queue {
		q.Release()
	}
	s.queue = nil
	s.rows.Release()
	s.jobs.Release()
	return nil
}
