package rowbuild

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Builder stages and appends rows of one schema.
type Builder struct {
	schema *arrow.Schema
	rb     *array.RecordBuilder
	cols   []staged
	rows   int
}

type kind uint8

const (
	kString kind = iota
	kInt64
	kFloat64
	kBool
	kDate32
	kTimestamp
	kListString
	kMapString
)

type staged struct {
	kind kind
	set  bool
	// the column's typed builder, resolved once
	sb   *array.StringBuilder
	ib   *array.Int64Builder
	fb   *array.Float64Builder
	bb   *array.BooleanBuilder
	db   *array.Date32Builder
	tb   *array.TimestampBuilder
	lb   *array.ListBuilder
	mb   *array.MapBuilder
	any  array.Builder
	str  []byte
	i    int64
	f    float64
	b    bool
	list []string
	keys []string
	vals []string
	bval [][]byte // map values staged as bytes (SetMapBytes)
}

// NewBuilder makes a builder for schema. Supported column types: utf8,
// int64, float64, bool, date32, timestamp, list<utf8>, map<utf8,utf8>.
func NewBuilder(mem memory.Allocator, schema *arrow.Schema) *Builder {
	b := &Builder{schema: schema, rb: array.NewRecordBuilder(mem, schema), cols: make([]staged, schema.NumFields())}
	for i, f := range schema.Fields() {
		switch t := f.Type.(type) {
		case *arrow.StringType:
			b.cols[i].kind = kString
		case *arrow.Int64Type:
			b.cols[i].kind = kInt64
		case *arrow.Float64Type:
			b.cols[i].kind = kFloat64
		case *arrow.BooleanType:
			b.cols[i].kind = kBool
		case *arrow.Date32Type:
			b.cols[i].kind = kDate32
		case *arrow.TimestampType:
			b.cols[i].kind = kTimestamp
		case *arrow.ListType:
			b.cols[i].kind = kListString
		case *arrow.MapType:
			b.cols[i].kind = kMapString
		default:
			panic(fmt.Sprintf("rowbuild: unsupported column type %s", t))
		}
		c := &b.cols[i]
		c.any = b.rb.Field(i)
		c.sb, _ = c.any.(*array.StringBuilder)
		c.ib, _ = c.any.(*array.Int64Builder)
		c.fb, _ = c.any.(*array.Float64Builder)
		c.bb, _ = c.any.(*array.BooleanBuilder)
		c.db, _ = c.any.(*array.Date32Builder)
		c.tb, _ = c.any.(*array.TimestampBuilder)
		c.lb, _ = c.any.(*array.ListBuilder)
		c.mb, _ = c.any.(*array.MapBuilder)
	}
	return b
}

// Schema returns the builder's schema.
func (b *Builder) Schema() *arrow.Schema { return b.schema }

// Rows is the number of committed rows not yet in a batch.
func (b *Builder) Rows() int { return b.rows }

// SetBytes stages a string value; v must stay valid until Commit.
func (b *Builder) SetBytes(col int, v []byte) { c := &b.cols[col]; c.str, c.set = v, true }

// SetString stages a string value.
func (b *Builder) SetString(col int, v string) { b.SetBytes(col, []byte(v)) }

// SetInt stages an int64 value.
func (b *Builder) SetInt(col int, v int64) { c := &b.cols[col]; c.i, c.set = v, true }

// SetFloat stages a float64 value.
func (b *Builder) SetFloat(col int, v float64) { c := &b.cols[col]; c.f, c.set = v, true }

// SetBool stages a bool value.
func (b *Builder) SetBool(col int, v bool) { c := &b.cols[col]; c.b, c.set = v, true }

// SetDate stages a date32 value: days since 1970-01-01.
func (b *Builder) SetDate(col int, days int32) { c := &b.cols[col]; c.i, c.set = int64(days), true }

// SetTimestamp stages a timestamp in the column's unit.
func (b *Builder) SetTimestamp(col int, v int64) { c := &b.cols[col]; c.i, c.set = v, true }

// SetList stages a list<string> value (an empty list is not null).
func (b *Builder) SetList(col int, v []string) { c := &b.cols[col]; c.list, c.set = v, true }

// SetMap stages a map<string,string> value from parallel key and value
// slices.
func (b *Builder) SetMap(col int, keys, vals []string) {
	c := &b.cols[col]
	c.keys, c.vals, c.bval, c.set = keys, vals, nil, true
}

// SetMapBytes is SetMap with the values as bytes; they must stay valid
// until Commit.
func (b *Builder) SetMapBytes(col int, keys []string, vals [][]byte) {
	c := &b.cols[col]
	c.keys, c.vals, c.bval, c.set = keys, nil, vals, true
}

// IsSet reports whether col has a staged value.
func (b *Builder) IsSet(col int) bool { return b.cols[col].set }

// Discard drops the staged row.
func (b *Builder) Discard() {
	for i := range b.cols {
		b.cols[i].set = false
	}
}

// Commit appends the staged row; columns not set are null.
func (b *Builder) Commit() {
	for i := range b.cols {
		c := &b.cols[i]
		if !c.set {
			c.any.AppendNull()
			continue
		}
		c.set = false
		switch c.kind {
		case kString:
			c.sb.BinaryBuilder.Append(c.str)
		case kInt64:
			c.ib.Append(c.i)
		case kFloat64:
			c.fb.Append(c.f)
		case kBool:
			c.bb.Append(c.b)
		case kDate32:
			c.db.Append(arrow.Date32(c.i))
		case kTimestamp:
			c.tb.Append(arrow.Timestamp(c.i))
		case kListString:
			c.lb.Append(true)
			vb := c.lb.ValueBuilder().(*array.StringBuilder)
			for _, s := range c.list {
				vb.Append(s)
			}
		case kMapString:
			c.mb.Append(true)
			kb, ib := c.mb.KeyBuilder().(*array.StringBuilder), c.mb.ItemBuilder().(*array.StringBuilder)
			if c.bval != nil {
				for j := range c.keys {
					kb.Append(c.keys[j])
					ib.BinaryBuilder.Append(c.bval[j])
				}
				break
			}
			for j := range c.keys {
				kb.Append(c.keys[j])
				ib.Append(c.vals[j])
			}
		}
	}
	b.rows++
}

// NewBatch returns the committed rows as a record (nil when there are none)
// and resets the builder. The caller releases the record. The builder then
// reserves room for a batch like this one, so the next batch fills its
// buffers without growing and copying them again and again.
func (b *Builder) NewBatch() arrow.RecordBatch {
	if b.rows == 0 {
		return nil
	}
	rows := b.rows
	data := make([]int, len(b.cols))
	for i := range b.cols {
		if sb := b.cols[i].sb; sb != nil {
			data[i] = sb.DataLen()
		}
	}
	b.rows = 0
	rec := b.rb.NewRecordBatch()
	b.rb.Reserve(rows)
	for i, n := range data {
		if n > 0 {
			b.cols[i].sb.ReserveData(n)
		}
	}
	return rec
}

// Release frees the builder's buffers.
func (b *Builder) Release() { b.rb.Release() }
