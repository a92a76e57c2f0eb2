package textcontact

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
const KindName = "text-contact"

// DefaultMaxBodyBytes bounds one TXT body.
const DefaultMaxBodyBytes = 16 << 20

// Options of the text-contact kind.
type Options struct {
	MaxBodyBytes int64
	// Limits bound the upload's ZIPs (inputs.LimitOptionDocs).
	Limits         inputs.Limits
	MaxMemberBytes int64
}

// OptionDocs documents the kind's options.
var OptionDocs = append([]pipeline.Option{
	{Name: "max_body_bytes", Default: strconv.Itoa(DefaultMaxBodyBytes),
		Doc: "largest TXT body in bytes; a contact whose body is larger is rejected"},
}, inputs.LimitOptionDocs...)

// ParseOptions reads the kind's options, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	l, lerr := inputs.ParseLimits(m)
	o := Options{MaxBodyBytes: DefaultMaxBodyBytes, Limits: l, MaxMemberBytes: l.MaxMemberBytes}
	var errs []error
	if v, ok := m["max_body_bytes"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("max_body_bytes %q: want a positive whole number of bytes", v))
		}
		o.MaxBodyBytes = n
	}
	return o, errors.Join(append(errs, lerr)...)
}

// IsText reports whether a lower-case extension is a content file: "TXT
// only".
func IsText(ext string) bool { return ext == "txt" }

// Kind is the text-contact file kind.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: KindName,
		Doc: "Calabrio generic text import upload (/api/upload/textcontacts): CSV and JSON contact data, " +
			"TXT bodies, and ZIPs of them; all inputs form one upload",
		Tables:  []pipeline.Table{Table},
		Options: OptionDocs,
		Open:    open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	u, err := upload.Resolve(cfg.Inputs, upload.Options{Kind: cfg.Kind, Content: IsText, Limits: o.Limits, Remote: cfg.Remote})
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	dec := upload.Decoder{
		Table: Table,
		CSV: func(f inputs.File, header [][]byte) (upload.CSVRowFunc, error) {
			return openCSV(u, o.MaxBodyBytes, f, header)
		},
		JSON: func(f inputs.File) upload.RowFunc { return openJSON(u, o.MaxBodyBytes, f) },
	}
	src := &source{u: u, rows: upload.NewRows(u, dec, cfg.Policy, cfg.Mem, cfg.BytesCounter())}
	return pipeline.OpenedSource{Source: src, RunKey: u.ID}, nil
}
