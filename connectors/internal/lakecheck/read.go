package lakecheck

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/xitongsys/parquet-go/reader"
)

// ReadParquet reads every row of a Parquet file with parquet-go. Columns are
// returned in file order; values are nil, bool, int32, int64, float32,
// float64, string, []any or map[string]any.
func ReadParquet(path string) (cols []string, rows [][]any, err error) {
	fr, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer fr.Close()
	pr, err := reader.NewParquetReader(fr, nil, 1)
	if err != nil {
		return nil, nil, fmt.Errorf("parquet-go open %s: %w", path, err)
	}
	defer pr.ReadStop()
	root := pr.SchemaHandler.SchemaElements[0]
	for i, n := 1, int(root.GetNumChildren()); len(cols) < n; i++ {
		// top-level children follow the root in depth-first order; skip nested ones
		if pr.SchemaHandler.IndexMap[int32(i)] == "" {
			continue
		}
		path := pr.SchemaHandler.IndexMap[int32(i)]
		if depth(path) == 2 {
			cols = append(cols, pr.SchemaHandler.Infos[i].ExName)
		}
	}
	total := int(pr.GetNumRows())
	for len(rows) < total {
		batch, err := pr.ReadByNumber(min(4096, total-len(rows)))
		if err != nil {
			return nil, nil, fmt.Errorf("parquet-go read %s: %w", path, err)
		}
		if len(batch) == 0 {
			return nil, nil, fmt.Errorf("parquet-go read %s: %d of %d rows", path, len(rows), total)
		}
		for _, r := range batch {
			v := reflect.ValueOf(r)
			row := make([]any, v.NumField())
			for i := range row {
				row[i] = plain(v.Field(i))
			}
			rows = append(rows, row)
		}
	}
	return cols, rows, nil
}

func depth(path string) int {
	n := 1
	for _, c := range path {
		if c == '\x01' {
			n++
		}
	}
	return n
}

func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			out[fmt.Sprint(plain(k))] = plain(v.MapIndex(k))
		}
		return out
	}
	return v.Interface()
}
