package tabular

import (
	"fmt"
	"strings"
)

// Column is a header a layout understands.
type Column struct {
	Name     string   // the name as the vendor documents it, e.g. "avgACWTime"
	Aliases  []string // other accepted names (e.g. "TimeZone" for "ClientTimeZone")
	Required bool     // the file fails without it
}

// Header maps the columns of a layout to field positions in a file.
type Header struct {
	Index   []int          // per layout column: field index, or -1 when absent
	Unknown map[string]int // header names no column claimed
	Names   []string       // the header as read
}

// Fold normalizes a header name for matching: case-insensitive, ignoring
// surrounding spaces (the vendor examples put spaces after commas).
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// MatchHeader matches a header row against columns, by name or alias, case-
// insensitively. Missing required columns and columns named twice are
// errors, naming them.
func MatchHeader(fields [][]byte, cols []Column) (Header, error) {
	h := Header{Index: make([]int, len(cols)), Unknown: map[string]int{}}
	byName := map[string]int{}
	for i, c := range cols {
		h.Index[i] = -1
		byName[Fold(c.Name)] = i
		for _, a := range c.Aliases {
			byName[Fold(a)] = i
		}
	}
	var dup []string
	for j, f := range fields {
		name := strings.TrimSpace(string(f))
		h.Names = append(h.Names, name)
		i, ok := byName[Fold(name)]
		if !ok {
			h.Unknown[name] = j
			continue
		}
		if h.Index[i] >= 0 {
			dup = append(dup, cols[i].Name)
			continue
		}
		h.Index[i] = j
	}
	var missing []string
	for i, c := range cols {
		if c.Required && h.Index[i] < 0 {
			missing = append(missing, c.Name)
		}
	}
	switch {
	case len(missing) > 0:
		return h, fmt.Errorf("missing required columns: %s", strings.Join(missing, ", "))
	case len(dup) > 0:
		return h, fmt.Errorf("columns given more than once: %s", strings.Join(dup, ", "))
	}
	return h, nil
}

// Field returns the value of layout column i in a row, and whether the
// column is present and non-empty.
func (h Header) Field(fields [][]byte, i int) ([]byte, bool) {
	j := h.Index[i]
	if j < 0 || len(fields[j]) == 0 {
		return nil, false
	}
	return fields[j], true
}
