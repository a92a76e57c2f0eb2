package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/pipeline"
)

// OrgExportKindName is the org CSV export kind.
const OrgExportKindName = "calabrio-org-export"

// FileExportPath is the Export API: GET /api/rest/fileexport/<importType>.
const FileExportPath = "/api/rest/fileexport/"

// orgTypes are the export types the kind knows, in the order it pulls
// them, with the org kind that decodes each.
var orgTypes = []struct {
	name string
	kind func() pipeline.Kind
}{
	{"groups", org.GroupsKind},
	{"teams", org.TeamsKind},
	{"persons", org.PersonsKind},
}

var orgOptionDocs = withConnDocs(
	pipeline.Option{Name: "types", Default: "groups,teams,persons", Doc: "the export types to pull, comma-separated: groups (cal_group), teams (cal_team), persons (cal_person)"},
	pipeline.Option{Name: "date_order", Default: "mdy", Doc: "how slash dates of the export are read: mdy (M/D/YYYY, the US export) or dmy"},
	pipeline.Option{Name: "groups_header_map", Doc: "header_map of the groups export: labels of the user's locale, label=field pairs separated by semicolons (see kind org-groups)"},
	pipeline.Option{Name: "teams_header_map", Doc: "header_map of the teams export (see kind org-teams)"},
	pipeline.Option{Name: "persons_header_map", Doc: "header_map of the persons export (see kind org-persons)"},
)

// orgPull is one export type of a run.
type orgPull struct {
	name string
	kind pipeline.Kind
	opts map[string]string
}

type orgOptions struct {
	conn  connOptions
	pulls []orgPull
}

func parseOrgOptions(m map[string]string) (orgOptions, error) {
	var p problems
	o := orgOptions{conn: parseConn(m, &p)}
	want := map[string]bool{}
	for t := range strings.SplitSeq(def(m["types"], "groups,teams,persons"), ",") {
		want[strings.ToLower(strings.TrimSpace(t))] = true
	}
	for _, t := range orgTypes {
		if !want[t.name] {
			continue
		}
		delete(want, t.name)
		opts := map[string]string{}
		if v := strings.TrimSpace(m["date_order"]); v != "" {
			opts["date_order"] = v
		}
		if v := strings.TrimSpace(m[t.name+"_header_map"]); v != "" {
			opts["header_map"] = v
		}
		o.pulls = append(o.pulls, orgPull{name: t.name, kind: t.kind(), opts: opts})
	}
	for t := range want {
		if t != "" {
			p.add("types: unknown type %q (groups, teams or persons)", t)
		}
	}
	if len(o.pulls) == 0 {
		p.add("types: name at least one of groups, teams, persons")
	}
	return o, p.err(OrgExportKindName)
}

func openOrgExport(ctx context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := parseOrgOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	dir, err := os.MkdirTemp("", "ccetl-calabrio-org-")
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	if err := checkOrgOptions(ctx, o, dir, cfg); err != nil {
		os.RemoveAll(dir)
		return pipeline.OpenedSource{}, err
	}
	k, err := newConn(o.conn, cfg)
	if err != nil {
		os.RemoveAll(dir)
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	names := make([]string, len(o.pulls))
	for i, p := range o.pulls {
		names[i] = p.name
	}
	key := pipeline.RunKey(OrgExportKindName, []string{o.conn.BaseURL, "types=" + strings.Join(names, ",")})
	return pipeline.OpenedSource{Source: &orgSource{o: o, k: k, cfg: cfg, dir: dir}, RunKey: key}, nil
}

// checkOrgOptions opens every org kind over an empty file so that a bad
// header_map or date_order fails the run before any request: the org
// package checks its options only in Open.
func checkOrgOptions(ctx context.Context, o orgOptions, dir string, cfg pipeline.SourceConfig) error {
	probe := filepath.Join(dir, "probe.csv")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	defer os.Remove(probe)
	var errs []error
	for _, p := range o.pulls {
		src, err := p.kind.Open(ctx, pipeline.SourceConfig{Kind: p.kind.Name, Inputs: []string{probe}, Options: p.opts, Policy: cfg.Policy, Mem: cfg.Mem})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
			continue
		}
		src.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("kind %s: %w", OrgExportKindName, err)
	}
	return nil
}

// orgSource downloads each export type into a temporary CSV file and reads
// it with the org package's kind, renaming inputs and reject sources to the
// request.
type orgSource struct {
	o   orgOptions
	k   *conn
	cfg pipeline.SourceConfig
	dir string

	i      int
	cur    pipeline.Source
	file   string
	inputs []pipeline.InputInfo
}

func (s *orgSource) Tables() []pipeline.Table {
	var ts []pipeline.Table
	for _, p := range s.o.pulls {
		ts = append(ts, p.kind.Tables...)
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
			s.closeCur()
			s.i++
			continue
		}
		if err != nil {
			return pipeline.Batch{}, fmt.Errorf("kind %s: GET %s%s: %w", OrgExportKindName, FileExportPath, p.name, err)
		}
		b.Input = s.input(p)
		for j := range b.Rejects {
			b.Rejects[j].Source = "GET " + FileExportPath + p.name
		}
		return b, nil
	}
}

// open downloads one export into the temporary folder and opens its kind.
func (s *orgSource) open(ctx context.Context, p orgPull) error {
	s.file = filepath.Join(s.dir, p.name+".csv")
	var info pipeline.InputInfo
	var err error
	for attempt := 1; ; attempt++ {
		info, err = s.download(ctx, p, s.file)
		if err == nil || !errors.Is(err, errBodyBroken) || attempt == mediaBodyAttempts {
			break
		}
	}
	if err != nil {
		return err
	}
	s.inputs = append(s.inputs, info)
	src, err := p.kind.Open(ctx, pipeline.SourceConfig{Kind: p.kind.Name, Inputs: []string{s.file}, Options: p.opts,
		Policy: s.cfg.Policy, Mem: s.cfg.Mem})
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	s.cur = src.Source
	return nil
}

// download streams GET /api/rest/fileexport/<type> into path.
func (s *orgSource) download(ctx context.Context, p orgPull, path string) (pipeline.InputInfo, error) {
	resp, err := s.k.stream(ctx, http.MethodGet, FileExportPath+p.name, nil, "text/csv, */*")
	if err != nil {
		return pipeline.InputInfo{}, fmt.Errorf("export %s: %w", p.name, err)
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return pipeline.InputInfo{}, err
	}
	h := sha256.New()
	body := &readErr{r: countingReader{r: resp.Body, n: s.k.bytes}}
	n, err := io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if body.err != nil && ctx.Err() == nil {
			return pipeline.InputInfo{}, fmt.Errorf("export %s: %w: %v", p.name, errBodyBroken, body.err)
		}
		return pipeline.InputInfo{}, fmt.Errorf("export %s: %w", p.name, err)
	}
	return pipeline.InputInfo{Name: s.input(p), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func (s *orgSource) closeCur() {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
		os.Remove(s.file)
	}
}

// Inputs describes the downloaded exports.
func (s *orgSource) Inputs() []pipeline.InputInfo { return s.inputs }

// Report describes the run.
func (s *orgSource) Report() map[string]any {
	return s.k.report(map[string]any{"exports": len(s.inputs)})
}

func (s *orgSource) Close() error {
	s.closeCur()
	s.k.close()
	return os.RemoveAll(s.dir)
}
