package org

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// ignoreField is the header_map target that drops a column on purpose.
const ignoreField = "-"

// Options of an org kind.
type Options struct {
	// DateOrder reads the slash dates of export files (the upload files
	// are MM/DD/YYYY by definition).
	DateOrder parse.DateOrder
	// labels maps folded header labels (built in and header_map) to field
	// indexes; ignore holds folded labels mapped to "-".
	labels map[string]int
	ignore map[string]bool
}

func (s *spec) optionDocs() []pipeline.Option {
	return []pipeline.Option{
		{Name: "header_map", Doc: "header labels of export files in other locales, label=field pairs separated by " +
			"semicolons, e.g. `" + s.example + "`; field is an upload column name (" + strings.Join(s.keys(), ", ") +
			") or - to drop the column on purpose. English export labels are built in"},
		{Name: "date_order", Default: "mdy", Doc: "how to read slash dates in export files: mdy (M/D/YYYY, the US export) " +
			"or dmy (D/M/YYYY); upload files are always MM/DD/YYYY"},
	}
}

// parseOptions reads the kind's options, reporting every problem at once.
func (s *spec) parseOptions(m map[string]string) (Options, error) {
	o := Options{labels: map[string]int{}, ignore: map[string]bool{}}
	var errs []error
	var err error
	if o.DateOrder, err = parse.ParseDateOrder(m["date_order"]); err != nil {
		errs = append(errs, err)
	}
	for i, f := range s.fields {
		for _, l := range f.labels {
			o.labels[tabular.Fold(l)] = i
		}
	}
	if err := o.addHeaderMap(s, m["header_map"]); err != nil {
		errs = append(errs, err)
	}
	return o, errors.Join(errs...)
}

// addHeaderMap adds the label=field pairs of a header_map option; they
// override built-in labels.
func (o *Options) addHeaderMap(s *spec, text string) error {
	var errs []error
	seen := map[string]string{}
	for n, pair := range strings.Split(text, ";") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		label, target, ok := strings.Cut(pair, "=")
		label, target = strings.TrimSpace(label), strings.TrimSpace(target)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("header_map entry %d: want label=field", n+1))
			continue
		case label == "":
			errs = append(errs, fmt.Errorf("header_map entry %d: empty label", n+1))
			continue
		}
		key := tabular.Fold(label)
		if prev, dup := seen[key]; dup && !strings.EqualFold(prev, target) {
			errs = append(errs, fmt.Errorf("header_map entry %d: label %q is mapped twice", n+1, label))
			continue
		}
		seen[key] = target
		if target == ignoreField {
			if _, own := s.fieldByKey(label); own {
				errs = append(errs, fmt.Errorf("header_map entry %d: %q is an upload column and cannot be dropped", n+1, label))
				continue
			}
			delete(o.labels, key)
			o.ignore[key] = true
			continue
		}
		i, ok := s.fieldByKey(target)
		if !ok {
			errs = append(errs, fmt.Errorf("header_map entry %d: unknown field %q (%s fields: %s)", n+1, target, s.what, strings.Join(s.keys(), ", ")))
			continue
		}
		if j, own := s.fieldByKey(label); own && j != i {
			errs = append(errs, fmt.Errorf("header_map entry %d: label %q is the upload column %s, it cannot name %s", n+1, label, s.fields[j].key, s.fields[i].key))
			continue
		}
		o.labels[key] = i
		delete(o.ignore, key)
	}
	return errors.Join(errs...)
}

// columns are the header columns of every layout: each field by its key
// or any label mapped to it.
func (s *spec) columns(o Options) []tabular.Column {
	cols := make([]tabular.Column, len(s.fields))
	for i, f := range s.fields {
		cols[i] = tabular.Column{Name: f.key, Required: f.header}
	}
	for label, i := range o.labels {
		cols[i].Aliases = append(cols[i].Aliases, label)
	}
	return cols
}
