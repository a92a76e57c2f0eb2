package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/pipeline"
)

// OrgExportKindName is the org CSV export kind.
const OrgExportKindName = "calabrio-org-export"

// FileExportPath is the Export API: GET /api/rest/fileexport/<importType>.
const FileExportPath = "/api/rest/fileexport/"

var orgOptionDocs = withConnDocs(
	pipeline.Option{Name: "types", Default: "groups,teams,persons", Doc: "the export types to pull, comma-separated: groups (cal_group), teams (cal_team), persons (cal_person)"},
	pipeline.Option{Name: "date_order", Default: "mdy", Doc: "how slash dates of the export are read: mdy (M/D/YYYY, the US export) or dmy"},
	pipeline.Option{Name: "groups_header_map", Doc: "header_map of the groups export: labels of the user's locale, label=field pairs separated by semicolons (see kind org-groups)"},
	pipeline.Option{Name: "teams_header_map", Doc: "header_map of the teams export (see kind org-teams)"},
	pipeline.Option{Name: "persons_header_map", Doc: "header_map of the persons export (see kind org-persons)"},
)

// orgPull is one export type of a run, with the options of its org kind.
type orgPull struct {
	name string
	opts map[string]string
}

type orgOptions struct {
	conn  connOptions
	pulls []orgPull
}

func parseOrgOptions(m map[string]string) (orgOptions, error) {
	var p apiopt.Problems
	o := orgOptions{conn: parseConn(m, &p)}
	want := map[string]bool{}
	for t := range strings.SplitSeq(def(m["types"], "groups,teams,persons"), ",") {
		want[strings.ToLower(strings.TrimSpace(t))] = true
	}
	for _, t := range org.ExportTypes {
		if !want[t] {
			continue
		}
		delete(want, t)
		opts := map[string]string{}
		if v := strings.TrimSpace(m["date_order"]); v != "" {
			opts["date_order"] = v
		}
		if v := strings.TrimSpace(m[t+"_header_map"]); v != "" {
			opts["header_map"] = v
		}
		o.pulls = append(o.pulls, orgPull{name: t, opts: opts})
	}
	for t := range want {
		if t != "" {
			p.Add("types: unknown type %q (groups, teams or persons)", t)
		}
	}
	if len(o.pulls) == 0 {
		p.Add("types: name at least one of groups, teams, persons")
	}
	return o, p.Err(OrgExportKindName)
}

func openOrgExport(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := parseOrgOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	if err := checkOrgOptions(o); err != nil {
		return pipeline.OpenedSource{}, err
	}
	k, err := newConn(o.conn, cfg)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	names := make([]string, len(o.pulls))
	for i, p := range o.pulls {
		names[i] = p.name
	}
	key := pipeline.RunKey(OrgExportKindName, []string{o.conn.BaseURL, "types=" + strings.Join(names, ",")})
	return pipeline.OpenedSource{Source: &orgSource{o: o, k: k, cfg: cfg}, RunKey: key}, nil
}

// checkOrgOptions checks every org kind's options (a bad header_map or
// date_order) so that they fail the run before any request.
func checkOrgOptions(o orgOptions) error {
	var errs []error
	for _, p := range o.pulls {
		if err := org.CheckExportOptions(p.name, p.opts); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	return nil
}

// orgSource streams each export type's body into the org package's
// decoder (org.NewExportSource), naming batches by the request and reject
// sources by the request line.
type orgSource struct {
	o   orgOptions
	k   *conn
	cfg pipeline.SourceConfig

	i      int
	cur    pipeline.Source
	body   *orgBody
	inputs []pipeline.InputInfo
}

func (s *orgSource) Tables() []pipeline.Table {
	var ts []pipeline.Table
	for _, p := range s.o.pulls {
		tb, _ := org.ExportTable(p.name) // the types were checked
		ts = append(ts, tb)
	}
	return ts
}

func (s *orgSource) input(p orgPull) string {
	return OrgExportKindName + ":" + s.o.conn.BaseURL + FileExportPath + p.name
}

func (s *orgSource) Next(ctx context.Context) (pipeline.Batch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		if s.cur == nil {
			if s.i == len(s.o.pulls) {
				return pipeline.Batch{}, pipeline.ErrEndOfInput
			}
			if err := s.open(ctx, s.o.pulls[s.i]); err != nil {
				return pipeline.Batch{}, fmt.Errorf("kind %s: %w", OrgExportKindName, err)
			}
		}
		p := s.o.pulls[s.i]
		b, err := s.cur.Next(ctx)
		if errors.Is(err, pipeline.ErrEndOfInput) {
			s.inputs = append(s.inputs, pipeline.InputInfo{Name: s.input(p), Bytes: s.body.n, SHA256: hex.EncodeToString(s.body.h.Sum(nil))})
			s.closeCur()
			s.i++
			continue
		}
		if err != nil {
			return pipeline.Batch{}, fmt.Errorf("kind %s: GET %s%s: %w", OrgExportKindName, FileExportPath, p.name, err)
		}
		for j := range b.Rejects {
			b.Rejects[j].Source = "GET " + FileExportPath + p.name
		}
		return b, nil
	}
}

// open sends one export request and opens the org decoder on its body.
func (s *orgSource) open(ctx context.Context, p orgPull) error {
	body := &orgBody{ctx: ctx, k: s.k, name: p.name, h: sha256.New()}
	if err := body.get(); err != nil {
		return err
	}
	src, err := org.NewExportSource(p.name, body, s.input(p), p.opts, s.cfg.Policy, s.cfg.Mem)
	if err != nil {
		body.close()
		return fmt.Errorf("%s: %w", p.name, err)
	}
	s.cur, s.body = src, body
	return nil
}

func (s *orgSource) closeCur() {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	if s.body != nil {
		s.body.close()
		s.body = nil
	}
}

// Inputs describes the exports read to the end.
func (s *orgSource) Inputs() []pipeline.InputInfo { return s.inputs }

// Report describes the run.
func (s *orgSource) Report() map[string]any {
	return s.k.report(map[string]any{"exports": len(s.inputs)})
}

func (s *orgSource) Close() error {
	s.closeCur()
	s.k.close()
	return nil
}
