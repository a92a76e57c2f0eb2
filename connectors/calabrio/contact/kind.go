package contact

import (
	"context"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the kind's registered name.
const KindName = "bulk-contact"

// Options of the bulk-contact kind.
type Options struct {
	// Limits bound the upload's ZIPs (inputs.LimitOptionDocs).
	Limits         inputs.Limits
	MaxMemberBytes int64
}

// OptionDocs documents the kind's options: the ZIP limits.
var OptionDocs = inputs.LimitOptionDocs

// ParseOptions reads the kind's options, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	l, err := inputs.ParseLimits(m)
	return Options{Limits: l, MaxMemberBytes: l.MaxMemberBytes}, err
}

// Kind is the bulk-contact file kind.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: KindName,
		Doc: "Calabrio bulk contact import upload (/api/upload/contacts): CSV and JSON contact metadata, " +
			"recordings (wav, webm, webma, webmv, spx, wmv), and ZIPs of them; all inputs form one upload",
		Tables:  []pipeline.Table{Table, RecordingTable},
		Options: OptionDocs,
		Open:    open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	u, err := upload.Resolve(cfg.Inputs, upload.Options{Kind: cfg.Kind, Content: IsMedia, Limits: o.Limits, Remote: cfg.Remote})
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	return pipeline.OpenedSource{Source: newSource(u, cfg), RunKey: u.ID}, nil
}
