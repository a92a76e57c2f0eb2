package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ccetl/ccetl/jobs/schedule"
	"github.com/ccetl/ccetl/pipeline"
)

var yamlLine = regexp.MustCompile(`line (\d+): `)

// Load reads and checks a job file's structure: unknown keys, wrong types,
// missing values and unset variables are all reported at once, each with its
// file:line:col. It does not check kinds and options; see Check.
func Load(file string, env Env) (*Job, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("job file: %w", err)
	}
	return Parse(file, data, env)
}

// Parse is Load on bytes.
func Parse(file string, data []byte, env Env) (*Job, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		pos := Pos{File: file}
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			pos.Col = 1
			msg = strings.Replace(msg, m[0], "", 1)
		}
		return nil, &ConfigError{Problems: []Problem{{Pos: pos, Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ") +
			" (quote values holding ${...}, { or [ inside [ ] lists)"}}}
	}
	l := &loader{file: file, env: env}
	job := &Job{File: file, Batch: pipeline.DefaultBatchPolicy()}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	l.job(doc, job)
	return job, l.ps.err()
}

type loader struct {
	file    string
	env     Env
	ps      problems
	missing int // unset variables seen so far: a value left empty by one is not reported again as missing
}

func (l *loader) pos(n *yaml.Node) Pos { return Pos{File: l.file, Line: n.Line, Col: n.Column} }

// fields walks a mapping, calling set for each known key and reporting
// unknown and repeated keys.
func (l *loader) fields(n *yaml.Node, what string, set map[string]func(*yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		l.ps.add(l.pos(n), "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			l.ps.add(l.pos(k), "%s: key %q given twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		f, ok := set[k.Value]
		if !ok {
			l.ps.add(l.pos(k), "%s: unknown key %q", what, k.Value)
			continue
		}
		f(v)
	}
}

// str reads a scalar with variables interpolated.
func (l *loader) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		l.ps.add(l.pos(n), "%s must be a single value", what)
		return ""
	}
	v, missing := interpolate(n.Value, l.env)
	l.missing += len(missing)
	for _, m := range missing {
		l.ps.add(l.pos(n), "%s: environment variable %s is not set (use ${%s:default} for a default)", what, m, m)
	}
	return v
}

func (l *loader) strList(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{l.str(n, what)}
	}
	if n.Kind != yaml.SequenceNode {
		l.ps.add(l.pos(n), "%s must be a list", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, l.str(c, what))
	}
	return out
}

func (l *loader) int(n *yaml.Node, what string) int64 {
	s := l.str(n, what)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		l.ps.add(l.pos(n), "%s must be a non-negative whole number", what)
	}
	return v
}

// options reads a map of option values. NAME_file: PATH sets NAME to the
// content of PATH (a trailing newline dropped), so secrets stay out of job
// files and logs.
func (l *loader) options(n *yaml.Node, what string) map[string]string {
	out, _ := l.optionsPos(n, what)
	return out
}

// optionsPos is options plus where each option's key stands.
func (l *loader) optionsPos(n *yaml.Node, what string) (map[string]string, map[string]Pos) {
	out, pos := map[string]string{}, map[string]Pos{}
	if n.Kind != yaml.MappingNode {
		l.ps.add(l.pos(n), "%s must be a mapping", what)
		return out, pos
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		missing := l.missing
		val := l.str(v, what+"."+k.Value)
		name := k.Value
		if base, ok := strings.CutSuffix(name, "_file"); ok && base != "" && l.missing == missing {
			data, err := os.ReadFile(val)
			if err != nil {
				l.ps.add(l.pos(v), "%s.%s: cannot read the file: %v", what, name, errors.Unwrap(err))
				continue
			}
			name, val = base, strings.TrimRight(string(data), "\r\n")
		} else if ok && base != "" {
			name = base // the variable naming the file is unset: reported above
		}
		if _, dup := out[name]; dup {
			l.ps.add(l.pos(k), "%s: option %s given twice (directly and as %s_file?)", what, name, name)
		}
		out[name] = val
		pos[name] = l.pos(k)
	}
	return out, pos
}

func (l *loader) job(n *yaml.Node, job *Job) {
	var src, srcs, sched, tz *yaml.Node
	var sinkSeen bool
	var scheduling []*yaml.Node // keys that need a schedule
	l.fields(n, "job", map[string]func(*yaml.Node){
		"name":     func(v *yaml.Node) { job.Name = l.str(v, "name") },
		"schedule": func(v *yaml.Node) { sched = v; job.Schedule = l.str(v, "schedule") },
		"time_zone": func(v *yaml.Node) {
			tz = v
			scheduling = append(scheduling, v)
			job.TimeZone = l.str(v, "time_zone")
		},
		"jitter": func(v *yaml.Node) {
			scheduling = append(scheduling, v)
			job.Jitter = l.duration(v, "jitter")
		},
		"catchup_window": func(v *yaml.Node) {
			scheduling = append(scheduling, v)
			job.CatchupWindow = l.duration(v, "catchup_window")
		},
		"overlap": func(v *yaml.Node) {
			scheduling = append(scheduling, v)
			o, err := schedule.ParseOverlap(l.str(v, "overlap"))
			if err != nil {
				l.ps.add(l.pos(v), "overlap: %v", err)
			}
			job.Overlap = string(o)
		},
		"source":  func(v *yaml.Node) { src = v },
		"sources": func(v *yaml.Node) { srcs = v },
		"transforms": func(v *yaml.Node) {
			job.Transforms = l.transforms(v)
		},
		"sink":    func(v *yaml.Node) { sinkSeen = true; job.Sink = l.sink(v) },
		"batch":   func(v *yaml.Node) { l.batch(v, &job.Batch) },
		"rejects": func(v *yaml.Node) { l.rejects(v, &job.Rejects) },
		"state":   func(v *yaml.Node) { job.State = l.str(v, "state") },
		"target":  func(v *yaml.Node) { job.Target = l.target(v) },
		"on_error": func(v *yaml.Node) {
			switch job.OnError = l.str(v, "on_error"); job.OnError {
			case OnErrorContinue, OnErrorStop:
			default:
				l.ps.add(l.pos(v), "on_error must be %s (run the other sources; the default) or %s (skip them)", OnErrorContinue, OnErrorStop)
			}
		},
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	if job.Name == "" {
		l.ps.add(l.pos(n), "job: name is required")
	}
	l.checkSchedule(job, sched, tz, scheduling)
	switch {
	case src != nil && srcs != nil:
		l.ps.add(l.pos(srcs), "job: give either source or sources, not both")
	case src != nil:
		job.Sources = []SourceSpec{l.source(src)}
	case srcs != nil:
		if srcs.Kind != yaml.SequenceNode || len(srcs.Content) == 0 {
			l.ps.add(l.pos(srcs), "sources must be a non-empty list")
		} else {
			for _, s := range srcs.Content {
				job.Sources = append(job.Sources, l.source(s))
			}
		}
	default:
		l.ps.add(l.pos(n), "job: a source (or sources) is required")
	}
	if !sinkSeen {
		l.ps.add(l.pos(n), "job: sink is required")
	}
}

// checkSchedule checks the schedule with its time zone, and that the keys
// about running it come with one.
func (l *loader) checkSchedule(job *Job, sched, tz *yaml.Node, scheduling []*yaml.Node) {
	if sched == nil || job.Schedule == "" {
		for _, v := range scheduling {
			l.ps.add(l.pos(v), "this key says how a schedule runs, and the job has no schedule")
		}
		return
	}
	if tz != nil {
		if _, err := time.LoadLocation(job.TimeZone); err != nil || job.TimeZone == "" {
			l.ps.add(l.pos(tz), "time_zone: %q is not a known IANA time zone (such as UTC or America/New_York)", job.TimeZone)
			return
		}
	}
	if _, err := schedule.Parse(job.Schedule, job.TimeZone); err != nil {
		l.ps.add(l.pos(sched), "schedule: not a valid cron expression (five fields or a descriptor such as @daily or @every 15m): %v", err)
	}
}

// duration reads a non-negative duration such as 90s, 15m or 2h.
func (l *loader) duration(n *yaml.Node, what string) time.Duration {
	s := l.str(n, what)
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		l.ps.add(l.pos(n), "%s must be a duration such as 90s, 15m or 2h", what)
		return 0
	}
	return d
}

func (l *loader) source(n *yaml.Node) SourceSpec {
	s := SourceSpec{Pos: l.pos(n), Options: map[string]string{}}
	l.fields(n, "source", map[string]func(*yaml.Node){
		"kind":   func(v *yaml.Node) { s.Kind = l.str(v, "source.kind") },
		"inputs": func(v *yaml.Node) { s.Inputs = l.strList(v, "source.inputs") },
		"only_new": func(v *yaml.Node) {
			switch l.str(v, "source.only_new") {
			case "true":
				s.OnlyNew = true
			case "false":
			default:
				l.ps.add(l.pos(v), "source.only_new must be true or false")
			}
		},
		"options": func(v *yaml.Node) {
			s.OptionsPos = l.pos(v)
			s.Options, s.OptionPos = l.optionsPos(v, "source.options")
		},
	})
	if n.Kind == yaml.MappingNode && s.Kind == "" {
		l.ps.add(l.pos(n), "source: kind is required")
	}
	return s
}

func (l *loader) sink(n *yaml.Node) SinkSpec {
	s := SinkSpec{Pos: l.pos(n), Options: map[string]string{}}
	missing := l.missing
	l.fields(n, "sink", map[string]func(*yaml.Node){
		"url": func(v *yaml.Node) { s.URL = l.str(v, "sink.url") },
		"options": func(v *yaml.Node) {
			s.OptionsPos = l.pos(v)
			s.Options, s.OptionPos = l.optionsPos(v, "sink.options")
		},
	})
	if n.Kind == yaml.MappingNode && s.URL == "" && l.missing == missing {
		l.ps.add(l.pos(n), "sink: url is required (a directory or s3://bucket/prefix)")
	}
	return s
}

func (l *loader) batch(n *yaml.Node, p *pipeline.BatchPolicy) {
	l.fields(n, "batch", map[string]func(*yaml.Node){
		"max_rows":  func(v *yaml.Node) { p.MaxRows = int(l.int(v, "batch.max_rows")) },
		"max_bytes": func(v *yaml.Node) { p.MaxBytes = l.int(v, "batch.max_bytes") },
	})
	if err := p.Validate(); err != nil && n.Kind == yaml.MappingNode {
		l.ps.add(l.pos(n), "%v", err)
	}
}

func (l *loader) rejects(n *yaml.Node, r *pipeline.RejectLimit) {
	l.fields(n, "rejects", map[string]func(*yaml.Node){
		"max_count": func(v *yaml.Node) { r.MaxCount = l.int(v, "rejects.max_count") },
		"max_ratio": func(v *yaml.Node) {
			f, err := strconv.ParseFloat(l.str(v, "rejects.max_ratio"), 64)
			if err != nil || f < 0 || f > 1 {
				l.ps.add(l.pos(v), "rejects.max_ratio must be a number from 0 to 1")
			}
			r.MaxRatio = f
		},
	})
}

func (l *loader) transforms(n *yaml.Node) []TransformSpec {
	if n.Kind != yaml.SequenceNode {
		l.ps.add(l.pos(n), "transforms must be a list")
		return nil
	}
	var out []TransformSpec
	for _, t := range n.Content {
		if t.Kind != yaml.MappingNode || len(t.Content) != 2 {
			l.ps.add(l.pos(t), "a transform is one key, its name, with its arguments (for example drop: [col])")
			continue
		}
		spec := TransformSpec{Name: t.Content[0].Value, Pos: l.pos(t.Content[0])}
		switch arg := t.Content[1]; arg.Kind {
		case yaml.MappingNode:
			spec.Args = l.options(arg, "transforms."+spec.Name)
		default:
			spec.List = l.strList(arg, "transforms."+spec.Name)
		}
		out = append(out, spec)
	}
	return out
}
