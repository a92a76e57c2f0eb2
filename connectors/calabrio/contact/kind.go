package contact

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the kind's registered name.
const KindName = "bulk-contact"

// Options of the bulk-contact kind.
type Options struct {
	MaxMemberBytes int64
}

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "max_member_bytes", Default: strconv.FormatInt(inputs.DefaultMaxMemberBytes, 10),
		Doc: "largest decompressed ZIP member in bytes; a larger member (a zip bomb) fails the run"},
}

// ParseOptions reads the kind's options, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{MaxMemberBytes: inputs.DefaultMaxMemberBytes}
	var errs []error
	if v, ok := m["max_member_bytes"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("max_member_bytes %q: want a positive whole number of bytes", v))
		}
		o.MaxMemberBytes = n
	}
	return o, errors.Join(errs...)
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
	u, err := upload.Resolve(cfg.Inputs, upload.Options{Kind: cfg.Kind, Content: IsMedia, MaxMemberBytes: o.MaxMemberBytes, Remote: cfg.Remote})
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	return pipeline.OpenedSource{Source: newSource(u, cfg), RunKey: u.ID}, nil
}
