package whit

import (
	"context"

	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// Kind is the whit file kind.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name:     "whit",
		Doc:      "WHIT/GIS service-interval CSV (Calabrio GIS API and WHIT API columns)",
		Tables:   []pipeline.Table{Table},
		Options:  OptionDocs,
		Validate: func(m map[string]string) error { _, err := ParseOptions(m); return err },
		Open:     open,
	}
}

func open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := ParseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	return tabular.OpenKind(cfg, []pipeline.Table{Table}, tabular.IsCSV, Layout(o))
}
