package iceberg

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"

	"github.com/ccetl/ccetl/pipeline"
)

// keySet collects the merge keys written to one table since its last
// commit, with the newest version of each: the greatest value of the
// table's order column (an updated_at-like timestamp, date or integer;
// null is oldest), the later row on a tie or without an order column.
// Keys are string or integer columns; a composite key has several.
type keySet struct {
	cols  []string
	idx   []int
	order int // the order column's index, -1 for none
	best  map[string]*version
	keys  [][]iceberg.Literal
	dups  bool // a key came more than once since the last commit
	older bool // a stored row is newer than the run's version of its key
}

// version is the newest version of a key seen so far.
type version struct {
	v       int64
	null    bool // no order value (or no order column)
	n       int  // rows of the key since the last commit
	keepOld bool // a stored row is newer: the run's rows of the key go
}

func newKeySet(t pipeline.Table, cols []string, order string) (*keySet, error) {
	ks := &keySet{cols: cols, order: -1, best: map[string]*version{}}
	for _, c := range cols {
		i := t.Schema.FieldIndices(c)
		if len(i) != 1 {
			return nil, fmt.Errorf("table %s: key column %s not in schema", t.Name, c)
		}
		switch t.Schema.Field(i[0]).Type.ID() {
		case arrow.STRING, arrow.INT32, arrow.INT64:
		default:
			return nil, fmt.Errorf("table %s: key column %s is %s; keys are strings or integers", t.Name, c, t.Schema.Field(i[0]).Type)
		}
		ks.idx = append(ks.idx, i[0])
	}
	if order != "" {
		i := t.Schema.FieldIndices(order)
		if len(i) != 1 {
			return nil, fmt.Errorf("table %s: order column %s not in schema", t.Name, order)
		}
		switch t.Schema.Field(i[0]).Type.ID() {
		case arrow.TIMESTAMP, arrow.DATE32, arrow.INT32, arrow.INT64:
		default:
			return nil, fmt.Errorf("table %s: order column %s is %s; want a timestamp, date or integer", t.Name, order, t.Schema.Field(i[0]).Type)
		}
		ks.order = i[0]
	}
	return ks, nil
}

// add records the keys and versions of rec's rows. A row with a null key
// part has no key and replaces nothing.
func (ks *keySet) add(rec arrow.RecordBatch) error {
	for r := 0; r < int(rec.NumRows()); r++ {
		id, ok, err := rowKey(rec, ks.idx, r)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		v, null := ks.value(rec, ks.order, r)
		if b := ks.best[id]; b != nil {
			ks.dups = true
			b.n++
			if !null && (b.null || v >= b.v) {
				b.v, b.null = v, false
			}
			continue
		}
		ks.best[id] = &version{v: v, null: null, n: 1}
		lits := make([]iceberg.Literal, len(ks.idx))
		for j, c := range ks.idx {
			switch a := rec.Column(c).(type) {
			case *array.String: // a copy: the batch's memory is reused once Write returns
				lits[j] = iceberg.NewLiteral(strings.Clone(a.Value(r)))
			case *array.Int32:
				lits[j] = iceberg.NewLiteral(a.Value(r))
			case *array.Int64:
				lits[j] = iceberg.NewLiteral(a.Value(r))
			}
		}
		ks.keys = append(ks.keys, lits)
	}
	return nil
}

// value reads the order column of row r in microseconds, days or units;
// null is true when there is none.
func (ks *keySet) value(rec arrow.RecordBatch, col, r int) (int64, bool) {
	if col < 0 || rec.Column(col).IsNull(r) {
		return 0, true
	}
	switch a := rec.Column(col).(type) {
	case *array.Timestamp:
		return a.Value(r).ToTime(a.DataType().(*arrow.TimestampType).Unit).UnixMicro(), false
	case *array.Date32:
		return int64(a.Value(r)), false
	case *array.Int32:
		return int64(a.Value(r)), false
	case *array.Int64:
		return a.Value(r), false
	}
	return 0, true
}

// version returns the newest version of row r's key, nil when the key is
// not in the set.
func (ks *keySet) version(rec arrow.RecordBatch, idx []int, r int) (*version, string, error) {
	id, ok, err := rowKey(rec, idx, r)
	if !ok || err != nil {
		return nil, "", err
	}
	return ks.best[id], id, nil
}

// newerStored reports whether a stored row whose order value is (v, null)
// is newer than the run's version b; on a tie the run's row wins.
func newerStored(v int64, null bool, b *version) bool {
	return !null && (b.null || v > b.v)
}

// rowKey renders the key of row r; ok is false when a part is null.
func rowKey(rec arrow.RecordBatch, idx []int, r int) (string, bool, error) {
	var b strings.Builder
	for j, c := range idx {
		col := rec.Column(c)
		if col.IsNull(r) {
			return "", false, nil
		}
		var v string
		switch a := col.(type) {
		case *array.String:
			v = a.Value(r)
		case *array.LargeString:
			v = a.Value(r)
		case *array.Int32:
			v = strconv.FormatInt(int64(a.Value(r)), 10)
		case *array.Int64:
			v = strconv.FormatInt(a.Value(r), 10)
		default:
			return "", false, fmt.Errorf("key column %s: unsupported type %s", rec.Schema().Field(c).Name, col.DataType())
		}
		fmt.Fprintf(&b, "%d:%d:%s", j, len(v), v)
	}
	return b.String(), true, nil
}

// filter matches every row whose key is in the set; nil when it is empty.
func (ks *keySet) filter() iceberg.BooleanExpression {
	if len(ks.keys) == 0 {
		return nil
	}
	if len(ks.cols) == 1 {
		lits := make([]iceberg.Literal, len(ks.keys))
		for i, k := range ks.keys {
			lits[i] = k[0]
		}
		return iceberg.SetPredicate(iceberg.OpIn, iceberg.Reference(ks.cols[0]), lits)
	}
	var out iceberg.BooleanExpression = iceberg.AlwaysFalse{}
	for _, k := range ks.keys {
		var and iceberg.BooleanExpression = iceberg.AlwaysTrue{}
		for j, c := range ks.cols {
			and = iceberg.NewAnd(and, iceberg.LiteralPredicate(iceberg.OpEQ, iceberg.Reference(c), k[j]))
		}
		out = iceberg.NewOr(out, and)
	}
	return out
}

// reset forgets the keys after a commit.
func (ks *keySet) reset() {
	ks.best = map[string]*version{}
	ks.keys = nil
	ks.dups, ks.older = false, false
}
