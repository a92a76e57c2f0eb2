package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

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

// schemaTarget is a push target: its options and the entities it writes,
// with their fields.
type schemaTarget struct {
	Target   string            `json:"target"`
	Doc      string            `json:"doc"`
	Options  []pipeline.Option `json:"options,omitempty"`
	Entities []pipeline.Entity `json:"entities"`
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
		names = append(e.reg.KindNames(), e.reg.TargetNames()...)
		slices.Sort(names)
		names = slices.Compact(names)
	}
	var out []schemaKind
	var targets []schemaTarget
	for _, n := range names {
		tk, terr := e.reg.Target(n)
		if terr == nil {
			targets = append(targets, schemaTarget{Target: tk.Name, Doc: tk.Doc, Options: tk.Options, Entities: tk.Entities})
		}
		k, err := e.reg.Kind(n)
		if err != nil && terr == nil {
			continue
		}
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
		all := make([]any, 0, len(out)+len(targets)) // kinds, then targets (objects with "target")
		for _, k := range out {
			all = append(all, k)
		}
		for _, t := range targets {
			all = append(all, t)
		}
		return enc.Encode(all)
	}
	defer printTargets(e.stdout, targets)
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

func printTargets(w io.Writer, targets []schemaTarget) {
	for _, t := range targets {
		fmt.Fprintf(w, "target %s: %s\n", t.Target, t.Doc)
		for _, o := range t.Options {
			fmt.Fprintf(w, "  option %s (default %q): %s\n", o.Name, o.Default, o.Doc)
		}
		for _, e := range t.Entities {
			fmt.Fprintf(w, "  entity %s (from table %s, key %s): %s\n", e.Name, e.Table, strings.Join(e.Key, " or "), e.Doc)
			for _, f := range e.Fields {
				var notes []string
				if f.Required {
					notes = append(notes, "required")
				}
				if f.MaxLen > 0 {
					notes = append(notes, fmt.Sprintf("max %d", f.MaxLen))
				}
				if len(f.Enum) > 0 {
					notes = append(notes, "one of "+strings.Join(f.Enum, "|"))
				}
				note := ""
				if len(notes) > 0 {
					note = " (" + strings.Join(notes, ", ") + ")"
				}
				fmt.Fprintf(w, "    %-32s %s%s %s\n", f.Name, f.Type, note, f.Doc)
			}
		}
	}
}
