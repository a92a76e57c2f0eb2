package org

import (
	"bytes"
	"errors"

	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

var (
	errRequired   = errors.New("required value is empty")
	errScheduling = errors.New("required when enableScheduling is True")
	errUploadDate = errors.New("not a valid date in the MM/DD/YYYY form")
	errExportDate = errors.New("not a valid date (want M/D/YYYY, D/M/YYYY by date_order, or YYYY-MM-DD)")
	errTrueFalse  = errors.New("not True or False (any case)")
)

// sentinel is 12/31/2999: "not deactivated" in exports, "reactivate" in
// persons uploads.
var sentinel, _ = parse.Days(2999, 12, 31)

// decoder reads the rows of one file.
type decoder struct {
	s      *spec
	h      tabular.Header
	export bool
	order  parse.DateOrder
	layout string
	tag    []byte     // layout as bytes: SetString would copy it every row
	names  []string   // per field: the column's name in the file, for rejects
	lists  [][]string // per field: reused list values
}

func (s *spec) newDecoder(h tabular.Header, export bool, o Options) *decoder {
	d := &decoder{s: s, h: h, export: export, order: o.DateOrder, layout: layoutImport,
		names: make([]string, len(s.fields)), lists: make([][]string, len(s.fields))}
	if export {
		d.layout = layoutExport
	}
	d.tag = []byte(d.layout)
	for i, f := range s.fields {
		d.names[i] = f.key
		if j := h.Index[i]; j >= 0 {
			d.names[i] = h.Names[j]
		}
	}
	return d
}

// row stages one row. Columns follow the fields, so field i is column i.
func (d *decoder) row(f [][]byte, b *rowbuild.Builder) error {
	var deact int32
	hasDeact, sched := false, false
	for i := range d.s.fields {
		fd := &d.s.fields[i]
		v, ok := d.h.Field(f, i)
		if !ok {
			if fd.need {
				return tabular.Errf(d.names[i], errRequired)
			}
			continue
		}
		switch fd.typ {
		case tID:
			n, err := parse.Count(v)
			if err != nil {
				return tabular.Errf(d.names[i], err)
			}
			b.SetInt(i, n)
		case tText:
			if fd.max > 0 {
				if err := parse.MaxChars(v, fd.max); err != nil {
					return tabular.Errf(d.names[i], err)
				}
			}
			b.SetBytes(i, v)
		case tDate:
			day, err := d.date(v)
			if err != nil {
				return tabular.Errf(d.names[i], err)
			}
			b.SetDate(i, day)
			if i == d.s.deact {
				deact, hasDeact = day, true
			}
		case tBool:
			t, err := trueFalse(v)
			if err != nil {
				return tabular.Errf(d.names[i], err)
			}
			b.SetBool(i, t)
			if i == d.s.sched {
				sched = t
			}
		case tList:
			b.SetList(i, d.split(i, v))
		}
	}
	if sched {
		for _, i := range d.s.schedNeeds {
			if _, ok := d.h.Field(f, i); !ok {
				return tabular.Errf(d.names[i], errScheduling)
			}
		}
	}
	if hasDeact {
		b.SetBool(d.s.cOpenEnded, deact == sentinel)
	}
	if d.s.cReactivate >= 0 && !d.export {
		b.SetBool(d.s.cReactivate, hasDeact && deact == sentinel)
	}
	b.SetBytes(d.s.cLayout, d.tag)
	return nil
}

// date reads an upload date (MM/DD/YYYY; a one-digit month or day is
// taken too, as the export writes them) or an export date (by date_order,
// or year first).
func (d *decoder) date(v []byte) (int32, error) {
	if d.export {
		day, err := parse.Date(v, d.order)
		if err != nil {
			return 0, errExportDate
		}
		return day, nil
	}
	if i := bytes.IndexByte(v, '/'); i < 1 || i > 2 { // not month first, year last
		return 0, errUploadDate
	}
	day, err := parse.Date(v, parse.MDY)
	if err != nil {
		return 0, errUploadDate
	}
	return day, nil
}

// trueFalse reads True/False in any case (not 1/0, which the org files do
// not use).
func trueFalse(v []byte) (bool, error) {
	if len(v) < 4 {
		return false, errTrueFalse
	}
	t, err := parse.Bool(v)
	if err != nil {
		return false, errTrueFalse
	}
	return t, nil
}

// split cuts a semicolon list, trimming items and dropping empty ones.
func (d *decoder) split(i int, v []byte) []string {
	out := d.lists[i][:0]
	for len(v) > 0 {
		item := v
		if j := bytes.IndexByte(v, ';'); j >= 0 {
			item, v = v[:j], v[j+1:]
		} else {
			v = nil
		}
		if item = bytes.TrimSpace(item); len(item) > 0 {
			out = append(out, string(item))
		}
	}
	d.lists[i] = out
	return out
}
