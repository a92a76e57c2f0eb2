package jobs

import (
	"fmt"
	"sort"

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
		if err := k.CheckOptions(s.Options); err != nil {
			ps.add(s.Pos, "%v", err)
		} else if k.Validate != nil {
			if err := k.Validate(s.Options); err != nil {
				ps.add(s.Pos, "kind %s: %v", k.Name, err)
			}
		}
	}
	if job.Sink.URL != "" {
		sk, err := reg.Sink(job.Sink.URL)
		if err != nil {
			ps.add(job.Sink.Pos, "%v", err)
		} else if err := sk.CheckOptions(job.Sink.Options); err != nil {
			ps.add(job.Sink.Pos, "%v", err)
		} else if sk.Validate != nil {
			if err := sk.Validate(job.Sink.Options); err != nil {
				ps.add(job.Sink.Pos, "sink: %v", err)
			}
		}
	}
	for _, t := range job.Transforms {
		if _, err := transforms.New(t.Name, t.List, t.Args); err != nil {
			ps.add(t.Pos, "%v", err)
		}
	}
	return ps.err()
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
