package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/csvin"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// pageMeta is what every row of a page gets besides its cells.
type pageMeta struct {
	qname     string
	offset    int // row_offset of the page's first row
	w         window
	windowed  bool
	extractMs int64
	source    string
}

// decodePage appends the rows of one CSV page to bt, calling flush each
// time the batch is full. It returns the data rows the page held (written
// or rejected). A page whose header cannot be mapped fails the run.
func decodePage(body []byte, cols []reportColumn, order parse.DateOrder, meta pageMeta, bt *rowbuild.Batcher, flush func()) (int, error) {
	r := csvin.NewReader(bytes.NewReader(body), csvin.Options{})
	hdr, err := r.Next()
	if err == io.EOF {
		return 0, nil // an empty export
	}
	if err != nil {
		return 0, fmt.Errorf("%s: CSV header: %w", meta.source, err)
	}
	m, err := mapHeader(hdr.Fields, cols)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", meta.source, err)
	}
	nc := len(cols)
	b := bt.B
	var keys, vals []string
	n := 0
	reject := func(col string, err error, raw []byte) {
		bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: meta.source, Record: int64(n), Column: col, Err: err}, Raw: string(raw)})
	}
	for ; ; n++ {
		rec, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		var re *csvin.RecordError
		switch {
		case errors.As(err, &re):
			reject("", fmt.Errorf("%v (line %d, byte %d)", re.Kind, re.ErrLine, re.Column), re.Raw)
		case err != nil:
			return n, fmt.Errorf("%s: %w", meta.source, err)
		case len(rec.Fields) != len(m.col):
			reject("", fmt.Errorf("row has %d columns, the header has %d", len(rec.Fields), len(m.col)), rec.Raw)
		default:
			keys, vals = keys[:0], vals[:0]
			col, err := setCells(b, rec.Fields, m, cols, order, &keys, &vals)
			if err != nil {
				reject(col, err, rec.Raw)
				break
			}
			if len(keys) > 0 {
				b.SetMap(nc, keys, vals)
			}
			b.SetString(nc+1, meta.qname)
			b.SetInt(nc+2, int64(meta.offset+n))
			if meta.windowed {
				b.SetTimestamp(nc+3, meta.w.Start.UnixMilli())
				b.SetTimestamp(nc+4, meta.w.End.UnixMilli())
			}
			b.SetTimestamp(nc+5, meta.extractMs)
			bt.Commit(len(rec.Raw) + 1)
		}
		if bt.Full() {
			flush()
		}
	}
}

// headerMap says where each CSV field goes: a configured column, or
// other_columns under its header.
type headerMap struct {
	col   []int // per CSV field: configured column index, or -1
	names []string
}

// mapHeader matches CSV headers to the configured columns, trimmed and
// case-insensitively.
func mapHeader(fields [][]byte, cols []reportColumn) (headerMap, error) {
	byHeader := make(map[string]int, len(cols))
	for i, c := range cols {
		byHeader[strings.ToLower(c.header)] = i
	}
	m := headerMap{col: make([]int, len(fields)), names: make([]string, len(fields))}
	taken := make([]bool, len(cols))
	for j, f := range fields {
		name := strings.TrimSpace(string(f))
		m.names[j] = name
		i, ok := byHeader[strings.ToLower(name)]
		if !ok {
			m.col[j] = -1
			continue
		}
		if taken[i] {
			return headerMap{}, fmt.Errorf("the CSV header names column %q twice", cols[i].header)
		}
		taken[i] = true
		m.col[j] = i
	}
	return m, nil
}

// setCells stages a row's cells; it returns the header of the first bad
// cell and why.
func setCells(b *rowbuild.Builder, fields [][]byte, m headerMap, cols []reportColumn, order parse.DateOrder, keys, vals *[]string) (string, error) {
	for j, v := range fields {
		i := m.col[j]
		if i < 0 {
			if len(v) > 0 {
				*keys = append(*keys, m.names[j])
				*vals = append(*vals, string(v))
			}
			continue
		}
		if cols[i].typ != tString {
			v = bytes.TrimSpace(v)
		}
		if len(v) == 0 {
			continue // null
		}
		if err := setCell(b, i, cols[i].typ, v, order); err != nil {
			return cols[i].header, err
		}
	}
	return "", nil
}

func setCell(b *rowbuild.Builder, i int, t colType, v []byte, order parse.DateOrder) error {
	switch t {
	case tInt64:
		n, err := parse.Int(v)
		if err != nil {
			f, ferr := parse.Float(v)
			if ferr != nil || f != float64(int64(f)) {
				return parse.ErrInt
			}
			n = int64(f)
		}
		b.SetInt(i, n)
	case tFloat64:
		f, err := parse.Float(v)
		if err != nil {
			return err
		}
		b.SetFloat(i, f)
	case tBool:
		x, err := parse.Bool(v)
		if err != nil {
			return err
		}
		b.SetBool(i, x)
	case tDate:
		d, err := reportDate(v, order)
		if err != nil {
			return err
		}
		b.SetDate(i, d)
	case tTimestamp:
		ms, err := reportTimestamp(v, order)
		if err != nil {
			return err
		}
		b.SetTimestamp(i, ms)
	default:
		b.SetBytes(i, v)
	}
	return nil
}

// reportDate reads a date cell: YYYY-MM-DD, M/D/YYYY (or D/M/YYYY), or a
// timestamp whose day is taken.
func reportDate(v []byte, order parse.DateOrder) (int32, error) {
	if d, err := parse.Date(v, order); err == nil {
		return d, nil
	}
	ms, err := reportTimestamp(v, order)
	if err != nil {
		return 0, parse.ErrDate
	}
	return int32(floorDiv(ms, 86400000)), nil
}

var slashLayouts = []string{"1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006"}

// reportTimestamp reads a timestamp cell: epoch milliseconds (the Date
// Range filters use Unix epoch time), ISO-8601, or a slash date with an
// optional time and AM/PM; a value without a zone is UTC.
func reportTimestamp(v []byte, order parse.DateOrder) (int64, error) {
	if ms, err := parse.EpochMillis(v); err == nil {
		return ms, nil
	}
	s := string(v)
	if ms, err := parse.Timestamp(s); err == nil {
		return ms, nil
	}
	for _, l := range slashLayouts {
		if order == parse.DMY {
			l = "2/1" + l[3:]
		}
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, parse.ErrTS
}
