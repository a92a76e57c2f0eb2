package iceberg

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// List and large-list columns keep their kind and get the field ids of
// the column and of its element; a list against another Iceberg type is
// a mismatch.
func TestWithIDsOnLists(t *testing.T) {
	nf := iceberg.NestedField{ID: 7, Name: "skills", Type: &iceberg.ListType{ElementID: 8, Element: iceberg.PrimitiveTypes.String, ElementRequired: false}}
	id := func(f arrow.Field) string { v, _ := f.Metadata.GetValue(table.ArrowParquetFieldIDKey); return v }
	for _, typ := range []arrow.DataType{arrow.ListOf(arrow.BinaryTypes.String), arrow.LargeListOf(arrow.BinaryTypes.String)} {
		got, err := withIDs(arrow.Field{Name: "skills", Type: typ, Nullable: true}, nf)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if got.Type.ID() != typ.ID() || id(got) != "7" || id(got.Type.(arrow.ListLikeType).ElemField()) != "8" {
			t.Errorf("%s: got %s, ids %s and %s", typ, got.Type, id(got), id(got.Type.(arrow.ListLikeType).ElemField()))
		}
		if _, err := withIDs(arrow.Field{Name: "skills", Type: typ}, iceberg.NestedField{ID: 7, Type: iceberg.PrimitiveTypes.String}); err == nil {
			t.Errorf("%s against a string column: no mismatch", typ)
		}
	}
}
