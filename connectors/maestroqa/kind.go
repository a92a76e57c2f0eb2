package maestroqa

import (
	"context"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the file kind of saved coaching exports.
const KindName = "maestroqa-coaching"

// Options of the maestroqa-coaching kind.
type Options struct {
	// Latest writes, of copies sharing an _id, the one with the latest
	// updatedAt (two passes over the files); otherwise the first (one pass).
	Latest bool
}

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "duplicates", Default: "latest", Doc: "which copy of a session, coaching point or to-do repeated under the same _id is written: " +
		"latest (the latest updatedAt; reads every file twice) or first (the first valid copy; one pass, the run report counts newer copies not written)"},
}

// ParseOptions reads the kind's options, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	switch v := m["duplicates"]; v {
	case "", "latest":
		return Options{Latest: true}, nil
	case "first":
		return Options{}, nil
	default:
		return Options{}, fmt.Errorf("duplicates %q: want latest or first", v)
	}
}

// Kind is the maestroqa-coaching file kind: saved coaching-export bodies
// (.json files, also inside folders and ZIP archives).
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name:    KindName,
		Doc:     "MaestroQA coaching export saved as JSON (the array of coaching sessions the export API returns)",
		Tables:  Tables,
		Options: OptionDocs,
		Open:    open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	set, err := inputs.Resolve(cfg.Inputs, inputs.FromConfig(cfg))
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	var files []inputs.File
	for _, f := range set.Files {
		if f.Ext() == "json" {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		set.Close()
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: no .json input file", KindName)
	}
	src := &source{set: set, files: files, latest: o.Latest, d: NewDecoder(cfg.Mem, cfg.Policy), cfg: cfg}
	return pipeline.OpenedSource{Source: src, RunKey: pipeline.RunKey(cfg.Kind, set.Names())}, nil
}
