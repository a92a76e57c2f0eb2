package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// SchemaFingerprint is a stable hash of a schema's column names, types and
// nullability. It changes exactly when a reader's view of the table does.
func SchemaFingerprint(s *arrow.Schema) string {
	var b strings.Builder
	for _, f := range s.Fields() {
		fmt.Fprintf(&b, "%s:%s:%t\n", f.Name, f.Type, f.Nullable)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FileSchemaFingerprint is the fingerprint of a schema read back from a
// Parquet file, comparable with the SchemaFingerprint of the schema it was
// written with: Parquet names a list's element "element" where Arrow names
// it "item", and the reader adds field ids as metadata; both are undone
// before hashing.
func FileSchemaFingerprint(s *arrow.Schema) string {
	fields := make([]arrow.Field, len(s.Fields()))
	for i, f := range s.Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: arrowNames(f.Type), Nullable: f.Nullable}
	}
	return SchemaFingerprint(arrow.NewSchema(fields, nil))
}

// arrowNames gives t's nested fields Arrow's names and no metadata.
func arrowNames(t arrow.DataType) arrow.DataType {
	elem := func(f arrow.Field) arrow.Field {
		return arrow.Field{Name: "item", Type: arrowNames(f.Type), Nullable: f.Nullable}
	}
	switch t := t.(type) {
	case *arrow.ListType:
		return arrow.ListOfField(elem(t.ElemField()))
	case *arrow.LargeListType:
		return arrow.LargeListOfField(elem(t.ElemField()))
	case *arrow.FixedSizeListType:
		return arrow.FixedSizeListOfField(t.Len(), elem(t.ElemField()))
	case *arrow.StructType:
		fields := make([]arrow.Field, t.NumFields())
		for i, f := range t.Fields() {
			fields[i] = arrow.Field{Name: f.Name, Type: arrowNames(f.Type), Nullable: f.Nullable}
		}
		return arrow.StructOf(fields...)
	}
	return t
}
