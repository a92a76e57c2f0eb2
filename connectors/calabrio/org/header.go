package org

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

// maxDiffs bounds the differences an exact-header error lists.
const maxDiffs = 6

// layout returns the tabular layout of the kind: for each file it decides,
// from the header, between the upload layout and the export layout.
func (s *spec) layout(o Options) tabular.Open {
	cols := s.columns(o)
	return func(_ inputs.File, header [][]byte) (tabular.Layout, error) {
		d, err := s.match(header, cols, o)
		if err != nil {
			return tabular.Layout{}, err
		}
		return tabular.Layout{Table: s.table, Row: d.row}, nil
	}
}

// match reads a header. A file is an export when a column is named by an
// export label (built in or header_map) rather than by its upload name.
// Otherwise it is an upload file: for groups and teams its header must be
// the documented one exactly.
func (s *spec) match(header [][]byte, cols []tabular.Column, o Options) (*decoder, error) {
	h, err := tabular.MatchHeader(header, cols)
	export := false
	for i, j := range h.Index {
		if j >= 0 && tabular.Fold(h.Names[j]) != tabular.Fold(s.fields[i].key) {
			export = true
		}
	}
	switch {
	case s.exact && !export && !s.isExact(header):
		return nil, s.exactError(header)
	case err != nil && export:
		return nil, fmt.Errorf("%s export header: %w", s.what, err)
	case err != nil:
		return nil, fmt.Errorf("%s header: %w", s.what, err)
	}
	if err := o.unknown(h); err != nil {
		return nil, fmt.Errorf("%s header: %w", s.what, err)
	}
	return s.newDecoder(h, export, o), nil
}

// isExact reports whether header is the upload header, byte for byte.
func (s *spec) isExact(header [][]byte) bool {
	if len(header) != len(s.fields) {
		return false
	}
	for i, f := range s.fields {
		if string(header[i]) != f.key {
			return false
		}
	}
	return true
}

// exactError says what the upload header must be and how header differs.
func (s *spec) exactError(header [][]byte) error {
	want := s.keys()
	var diffs []string
	for i := range min(len(header), len(want)) {
		got := string(header[i])
		if got == want[i] {
			continue
		}
		d := fmt.Sprintf("column %d is %s, want %q", i+1, shown(got), want[i])
		switch {
		case strings.EqualFold(got, want[i]):
			d += " (differs in case)"
		case strings.TrimSpace(got) == want[i]:
			d += " (surrounding spaces)"
		}
		diffs = append(diffs, d)
	}
	if len(diffs) > maxDiffs {
		diffs = append(diffs[:maxDiffs], fmt.Sprintf("%d more differing columns", len(diffs)-maxDiffs))
	}
	switch {
	case len(header) < len(want):
		diffs = append(diffs, "missing "+strings.Join(want[len(header):], ","))
	case len(header) > len(want):
		diffs = append(diffs, fmt.Sprintf("%d extra columns after column %d", len(header)-len(want), len(want)))
	}
	if sameSet(header, want) {
		diffs = append(diffs, "the columns are reordered")
	}
	return fmt.Errorf("not the %s upload header: want exactly %q (%d columns; the columns must match exactly, "+
		"in this order, none omitted), got %d columns: %s. An export file is recognised by its labels, such as %q; "+
		"map the labels of other locales with the header_map option",
		s.what, strings.Join(want, ","), len(want), len(header), strings.Join(diffs, "; "), s.fields[0].labels[0])
}

// sameSet reports whether header holds exactly the names of want, in some
// other order.
func sameSet(header [][]byte, want []string) bool {
	if len(header) != len(want) {
		return false
	}
	got := make([]string, len(header))
	for i, h := range header {
		got[i] = string(h)
	}
	sort.Strings(got)
	w := append([]string(nil), want...)
	sort.Strings(w)
	return strings.Join(got, ",") == strings.Join(w, ",")
}

// unknown fails on header columns no field claimed and header_map does
// not drop.
func (o Options) unknown(h tabular.Header) error {
	type col struct {
		name string
		pos  int
	}
	var bad []col
	for name, pos := range h.Unknown {
		if !o.ignore[tabular.Fold(name)] {
			bad = append(bad, col{name, pos})
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].pos < bad[j].pos })
	names := make([]string, len(bad))
	for i, c := range bad {
		names[i] = fmt.Sprintf("column %d %s", c.pos+1, shown(c.name))
	}
	return errors.New("unknown columns: " + strings.Join(names, ", ") +
		" (map them with the header_map option, label=field, or label=- to drop them on purpose)")
}

// shown quotes a header cell for an error message when it looks like a
// column name. Anything else (an email, a date, a number: the first data
// row of a file without a header) is not shown, since cell values may be
// personal data.
func shown(name string) string {
	if name == "" || looksLikeName(name) {
		return strconv.Quote(name)
	}
	return "(not shown: not a column name)"
}

func looksLikeName(s string) bool {
	if utf8.RuneCountInString(s) > 64 {
		return false
	}
	letter := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r) || r == ' ' || r == '_' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\'':
		default:
			return false
		}
	}
	return letter
}
