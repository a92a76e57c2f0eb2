package transforms

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Expr computes one target field from a row's values. Exactly one of
// Column, Const and Template is set; Cast converts the result and Layout
// says how dates are written in strings (YYYY, MM, DD, HH, mm, ss), for
// parsing a string into a date or formatting a date into a string.
type Expr struct {
	Column   string
	Const    *string
	Template string // "{first_name} {last_name}": columns in braces, {{ and }} for braces
	Cast     pipeline.FieldType
	Layout   string
}

// Columns lists the columns e reads.
func (e Expr) Columns() []string {
	switch {
	case e.Column != "":
		return []string{e.Column}
	case e.Template != "":
		var out []string
		for _, p := range templateParts(e.Template) {
			if p.col {
				out = append(out, p.text)
			}
		}
		return out
	}
	return nil
}

// Check reports an expression that cannot work whatever the rows: more
// than one source, a bad template, a cast to an unknown type, a layout
// without a date in it.
func (e Expr) Check() error {
	n := 0
	for _, set := range []bool{e.Column != "", e.Const != nil, e.Template != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("give exactly one of column, const and template")
	}
	if e.Template != "" {
		if _, err := parseTemplate(e.Template); err != nil {
			return err
		}
	}
	if e.Cast != "" && !slices.Contains(castTypes, e.Cast) {
		return fmt.Errorf("cast: unknown type %q (known: %v)", e.Cast, castTypes)
	}
	if e.Layout != "" && !strings.Contains(e.Layout, "YYYY") {
		return fmt.Errorf("layout %q has no YYYY", e.Layout)
	}
	return nil
}

var castTypes = []pipeline.FieldType{pipeline.TypeString, pipeline.TypeInt, pipeline.TypeFloat, pipeline.TypeBool,
	pipeline.TypeDate, pipeline.TypeTimestamp}

// Row is one row of a table, read by column name. Value says whether the
// table has the column; a value it cannot read is an error.
type Row interface {
	Value(column string) (v any, ok bool, err error)
}

// MapRow is a row held as values by column name.
type MapRow map[string]any

// Value implements Row.
func (r MapRow) Value(column string) (any, bool, error) {
	v, ok := r[column]
	return v, ok, nil
}

// BatchRows reads the rows of one record batch in place: a record is made
// of the columns its mapping names, without a map of the whole row.
type BatchRows struct {
	rec   arrow.RecordBatch
	index map[string]int
}

// NewBatchRows indexes rec's columns by name.
func NewBatchRows(rec arrow.RecordBatch) *BatchRows {
	index := make(map[string]int, rec.NumCols())
	for c := range int(rec.NumCols()) {
		index[rec.ColumnName(c)] = c
	}
	return &BatchRows{rec: rec, index: index}
}

// Cursor returns a row of b at row 0, to move with At: one per goroutine,
// so that reading a row allocates nothing.
func (b *BatchRows) Cursor() *BatchRow { return &BatchRow{b: b} }

// BatchRow is a row of a BatchRows.
type BatchRow struct {
	b *BatchRows
	i int
}

// At moves r to row i and returns it.
func (r *BatchRow) At(i int) *BatchRow {
	r.i = i
	return r
}

// Value implements Row.
func (r *BatchRow) Value(column string) (any, bool, error) {
	c, ok := r.b.index[column]
	if !ok {
		return nil, false, nil
	}
	v, err := pipeline.ColumnValue(r.b.rec.Column(c), r.i)
	if err != nil {
		return nil, true, fmt.Errorf("column %s: %w", column, err)
	}
	return v, true, nil
}

// Eval computes the expression on row. A missing column is an error (the
// mapping names a column the table lacks); a null value stays null.
func (e Expr) Eval(row Row) (any, error) {
	var v any
	switch {
	case e.Const != nil:
		v = *e.Const
	case e.Column != "":
		var ok bool
		var err error
		if v, ok, err = row.Value(e.Column); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("no column %s", e.Column)
		}
	default:
		var b strings.Builder
		for _, p := range templateParts(e.Template) {
			if !p.col {
				b.WriteString(p.text)
				continue
			}
			cv, ok, err := row.Value(p.text)
			if err != nil {
				return nil, err
			} else if !ok {
				return nil, fmt.Errorf("no column %s", p.text)
			}
			if cv != nil {
				b.WriteString(text(cv, e.Layout))
			}
		}
		v = b.String()
	}
	if v == nil || e.Cast == "" {
		if t, ok := v.(time.Time); ok && e.Layout != "" && e.Cast == "" {
			return t.Format(goLayout(e.Layout)), nil
		}
		return v, nil
	}
	return cast(v, e.Cast, e.Layout)
}

func cast(v any, to pipeline.FieldType, layout string) (any, error) {
	if to == pipeline.TypeString {
		return text(v, layout), nil
	}
	switch x := v.(type) {
	case string:
		return parseAs(strings.TrimSpace(x), to, layout)
	case int64:
		switch to {
		case pipeline.TypeInt:
			return x, nil
		case pipeline.TypeFloat:
			return float64(x), nil
		case pipeline.TypeBool:
			return x != 0, nil
		case pipeline.TypeTimestamp:
			return time.UnixMilli(x).UTC(), nil
		}
	case float64:
		switch to {
		case pipeline.TypeFloat:
			return x, nil
		case pipeline.TypeInt:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("%s is not a whole number", "the value")
			}
			return int64(x), nil
		}
	case bool:
		if to == pipeline.TypeBool {
			return x, nil
		}
	case time.Time:
		switch to {
		case pipeline.TypeDate:
			y, m, d := x.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		case pipeline.TypeTimestamp:
			return x.UTC(), nil
		case pipeline.TypeInt:
			return x.UnixMilli(), nil
		}
	}
	return nil, fmt.Errorf("cannot cast a %T to %s", v, to)
}

func parseAs(s string, to pipeline.FieldType, layout string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch to {
	case pipeline.TypeInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not an integer")
		}
		return n, nil
	case pipeline.TypeFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("not a number")
		}
		return f, nil
	case pipeline.TypeBool:
		switch strings.ToLower(s) {
		case "true", "1", "yes", "y":
			return true, nil
		case "false", "0", "no", "n":
			return false, nil
		}
		return nil, fmt.Errorf("not true or false")
	case pipeline.TypeDate, pipeline.TypeTimestamp:
		l := time.RFC3339
		if layout != "" {
			l = goLayout(layout)
		} else if to == pipeline.TypeDate {
			l = time.DateOnly
		}
		t, err := time.Parse(l, s)
		if err != nil {
			return nil, fmt.Errorf("not a %s in the layout %s", to, cmp(layout, l))
		}
		return cast(t, to, "")
	}
	return nil, fmt.Errorf("cannot cast a string to %s", to)
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// text writes a value as a string: dates in layout (ISO by default),
// lists joined by ";", maps as k=v pairs joined by "|".
func text(v any, layout string) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if layout != "" {
			return x.Format(goLayout(layout))
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339)
	case []string:
		return strings.Join(x, ";")
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + x[k]
		}
		return strings.Join(parts, "|")
	}
	return fmt.Sprint(v)
}

// goLayout turns YYYY-MM-DD HH:mm:ss tokens into a Go time layout.
func goLayout(l string) string { return layoutTokens.Replace(l) }

var layoutTokens = strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02", "HH", "15", "mm", "04", "ss", "05")

type tplPart struct {
	text string
	col  bool
}

func templateParts(t string) []tplPart {
	p, _ := parseTemplate(t)
	return p
}

func parseTemplate(t string) ([]tplPart, error) {
	var out []tplPart
	var lit strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case strings.HasPrefix(t[i:], "{{"):
			lit.WriteByte('{')
			i++
		case strings.HasPrefix(t[i:], "}}"):
			lit.WriteByte('}')
			i++
		case t[i] == '{':
			end := strings.IndexByte(t[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("template %q: { without }", t)
			}
			name := strings.TrimSpace(t[i+1 : i+end])
			if name == "" {
				return nil, fmt.Errorf("template %q: empty {}", t)
			}
			if lit.Len() > 0 {
				out = append(out, tplPart{text: lit.String()})
				lit.Reset()
			}
			out = append(out, tplPart{text: name, col: true})
			i += end
		case t[i] == '}':
			return nil, fmt.Errorf("template %q: } without {", t)
		default:
			lit.WriteByte(t[i])
		}
	}
	if lit.Len() > 0 {
		out = append(out, tplPart{text: lit.String()})
	}
	return out, nil
}
