package parquet

import (
	"context"
	"fmt"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the kind's name.
const KindName = "parquet"

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "tables", Doc: "for a lake root: the tables to read, comma-separated (default every table)"},
	{Name: "table", Doc: "the name of the table the inputs make (default: each file's table folder)"},
	{Name: "where", Doc: "a partition filter, e.g. dt >= 2024-05-01, dt between 2024-05-01 and 2024-05-31, month = 2024-05; clauses joined by and"},
	{Name: "partition_by", Doc: "the date or timestamp column the tables are partitioned by when written (default: the lake's manifest says, else none)"},
}

type options struct {
	tables      map[string]bool
	table       string
	where       filter
	partitionBy string
}

func parseOptions(m map[string]string) (options, error) {
	o := options{table: strings.TrimSpace(m["table"]), partitionBy: strings.TrimSpace(m["partition_by"])}
	if v := strings.TrimSpace(m["tables"]); v != "" {
		o.tables = map[string]bool{}
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				o.tables[t] = true
			}
		}
	}
	var err error
	if o.where, err = parseFilter(m["where"]); err != nil {
		return o, fmt.Errorf("kind %s: %w", KindName, err)
	}
	return o, nil
}

// Kind returns the parquet kind. Its tables are known only once its inputs
// are: ccetl schema lists none.
func Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: KindName,
		Doc: "tables of a Parquet lake (ccetl's or any Hive-partitioned folder), local or s3://: a lake root, " +
			"table folders, files or globs, with a partition filter",
		Options:  OptionDocs,
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

func open(ctx context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	files, err := resolve(ctx, cfg, o)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	s, err := newSource(ctx, cfg, o, files)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", KindName, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.name)
	}
	return pipeline.OpenedSource{Source: s, RunKey: pipeline.RunKey(KindName, append(names, cfg.Options["where"]))}, nil
}
