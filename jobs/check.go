package jobs

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// Check verifies a loaded job against a registry: kinds and sinks exist,
// their options are known and valid, transforms are well formed. Every
// problem is reported at once.
func Check(job *Job, reg *pipeline.Registry) error {
	var ps problems
	for _, s := range job.Sources {
		k, err := reg.Kind(s.Kind)
		if err != nil {
			ps.add(s.Pos, "%v", err)
			continue
		}
		if !unknownOptions(&ps, "kind "+k.Name, k.Options, s.Options, s.OptionPos, s.Pos) && k.Validate != nil {
			if err := k.Validate(s.Options); err != nil {
				msg := err.Error()
				if !strings.HasPrefix(msg, "kind "+k.Name) {
					msg = "kind " + k.Name + ": " + msg
				}
				ps.add(orPos(s.OptionsPos, s.Pos), "%s", msg)
			}
		}
	}
	if job.Sink.URL != "" {
		sk, err := reg.Sink(job.Sink.URL)
		if err != nil {
			ps.add(job.Sink.Pos, "%v", err)
		} else if !unknownOptions(&ps, "sink", sk.Options, job.Sink.Options, job.Sink.OptionPos, job.Sink.Pos) && sk.Validate != nil {
			if err := sk.Validate(job.Sink.Options); err != nil {
				ps.add(orPos(job.Sink.OptionsPos, job.Sink.Pos), "sink: %v", err)
			}
		}
	}
	for _, t := range job.Transforms {
		if _, err := transforms.New(t.Name, t.List, t.Args); err != nil {
			ps.add(t.Pos, "%v", err)
		}
	}
	if job.Target != nil {
		checkTarget(&ps, job.Target, reg)
	}
	return ps.err()
}

// unknownOptions reports each option docs does not list, at its key, and
// whether there was any.
func unknownOptions(ps *problems, what string, docs []pipeline.Option, opts map[string]string, at map[string]Pos, def Pos) bool {
	known := map[string]bool{}
	var names []string
	for _, d := range docs {
		known[d.Name] = true
		names = append(names, d.Name)
	}
	bad := false
	for _, name := range slices.Sorted(maps.Keys(opts)) {
		if known[name] {
			continue
		}
		bad = true
		hint := "it takes none"
		if len(names) > 0 {
			hint = "known: " + strings.Join(names, ", ")
		}
		ps.add(orPos(at[name], def), "%s: unknown option %s (%s)", what, name, hint)
	}
	return bad
}

func orPos(p, def Pos) Pos {
	if p.Line == 0 {
		return def
	}
	return p
}

// Redacted returns a job's options with secret values hidden, for display.
func Redacted(opts map[string]string, docs []pipeline.Option) map[string]string {
	secret := map[string]bool{}
	for _, d := range docs {
		secret[d.Name] = d.Secret
	}
	out := make(map[string]string, len(opts))
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if secret[k] {
			out[k] = fmt.Sprint(pipeline.NewSecret(opts[k]))
		} else {
			out[k] = opts[k]
		}
	}
	return out
}
