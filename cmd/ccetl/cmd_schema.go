package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/ccetl/ccetl/pipeline"
)

type schemaColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

type schemaTable struct {
	Name        string         `json:"name"`
	Doc         string         `json:"doc,omitempty"`
	PartitionBy string         `json:"partition_by,omitempty"`
	Columns     []schemaColumn `json:"columns"`
}

type schemaKind struct {
	Kind    string            `json:"kind"`
	Doc     string            `json:"doc"`
	Options []pipeline.Option `json:"options,omitempty"`
	Tables  []schemaTable     `json:"tables"`
}

func (e *env) schema(args []string) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	names, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		names = e.reg.KindNames()
	}
	var out []schemaKind
	for _, n := range names {
		k, err := e.reg.Kind(n)
		if err != nil {
			return usagef("schema: %v", err)
		}
		sk := schemaKind{Kind: k.Name, Doc: k.Doc, Options: k.Options}
		for _, t := range k.Tables {
			st := schemaTable{Name: t.Name, Doc: t.Doc, PartitionBy: t.PartitionBy}
			for _, f := range t.Schema.Fields() {
				st.Columns = append(st.Columns, schemaColumn{f.Name, f.Type.String(), f.Nullable})
			}
			sk.Tables = append(sk.Tables, st)
		}
		out = append(out, sk)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, k := range out {
		fmt.Fprintf(e.stdout, "kind %s: %s\n", k.Kind, k.Doc)
		for _, o := range k.Options {
			fmt.Fprintf(e.stdout, "  option %s (default %q): %s\n", o.Name, o.Default, o.Doc)
		}
		for _, t := range k.Tables {
			fmt.Fprintf(e.stdout, "  table %s", t.Name)
			if t.PartitionBy != "" {
				fmt.Fprintf(e.stdout, " (partitioned by %s)", t.PartitionBy)
			}
			fmt.Fprintln(e.stdout)
			for _, c := range t.Columns {
				null := ""
				if c.Nullable {
					null = " (nullable)"
				}
				fmt.Fprintf(e.stdout, "    %-32s %s%s\n", c.Name, c.Type, null)
			}
		}
	}
	return nil
}
