package lake

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// OptionDocs documents the sink options every lake store understands.
var OptionDocs = []pipeline.Option{
	{Name: "row_group_rows", Default: "131072", Doc: "rows per Parquet row group at most"},
	{Name: "row_group_bytes", Default: "64MiB", Doc: "compressed bytes per row group, about"},
	{Name: "page_bytes", Default: "256KiB", Doc: "bytes per data page before compression, about (4KiB to 64MiB)"},
	{Name: "file_rows", Default: "16777216", Doc: "rows per file at most"},
	{Name: "file_bytes", Default: "512MiB", Doc: "bytes per file, about"},
	{Name: "max_open_files", Default: "4", Doc: "files written at once"},
	{Name: "write_memory", Default: "64MiB", Doc: "buffers of the files being written, about: past it the least recently used file is finished, or a file alone starts a new row group"},
	{Name: "zstd_level", Default: "3", Doc: "zstd compression level, 1 (fastest) to 22"},
	{Name: "partition", Default: "day", Doc: "partition granularity of dated tables: day, month, year or none; or per table as table=granularity;table=granularity"},
}

// ParseOptions reads sink options over the defaults, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	o := DefaultOptions()
	var errs []error
	num := func(name string, dst *int64, bytes bool) {
		v, ok := m[name]
		if !ok {
			return
		}
		n, err := parseSize(v, bytes)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return
		}
		*dst = n
	}
	num("row_group_rows", &o.RowGroupRows, false)
	num("row_group_bytes", &o.RowGroupBytes, true)
	num("page_bytes", &o.PageBytes, true)
	num("file_rows", &o.FileRows, false)
	num("file_bytes", &o.FileBytes, true)
	num("write_memory", &o.WriteMemory, true)
	var open, level int64 = int64(o.MaxOpenFiles), int64(o.ZstdLevel)
	num("max_open_files", &open, false)
	num("zstd_level", &level, false)
	o.MaxOpenFiles, o.ZstdLevel = int(open), int(level)
	if _, set := m["row_group_rows"]; !set && o.RowGroupRows > o.FileRows {
		o.RowGroupRows = o.FileRows // a smaller file bound implies smaller row groups
	}
	if v, ok := m["partition"]; ok {
		p, err := parsePartition(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("partition: %w", err))
		}
		o.Partition = p
	}
	if err := o.Validate(); err != nil {
		errs = append(errs, err)
	}
	return o, errors.Join(errs...)
}

// parsePartition reads "day" (all tables) or "t1=month;t2=none".
func parsePartition(v string) (map[string]Granularity, error) {
	if !strings.Contains(v, "=") {
		g, err := ParseGranularity(v)
		return map[string]Granularity{"*": g}, err
	}
	out := map[string]Granularity{}
	for _, kv := range strings.Split(v, ";") {
		k, g, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("want table=granularity, got %q", kv)
		}
		gr, err := ParseGranularity(strings.TrimSpace(g))
		if err != nil {
			return nil, err
		}
		out[strings.TrimSpace(k)] = gr
	}
	return out, nil
}

var units = []struct {
	suffix string
	mult   int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}}

func parseSize(v string, bytes bool) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	if bytes {
		for _, u := range units {
			if strings.HasSuffix(v, u.suffix) {
				v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
				break
			}
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("want a positive whole number%s", map[bool]string{true: " (units KiB, MiB, GiB allowed)"}[bytes])
	}
	return n * mult, nil
}
