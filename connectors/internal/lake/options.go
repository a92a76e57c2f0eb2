package lake

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Options bound the files a lake sink writes.
type Options struct {
	RowGroupRows  int64 // rows per row group at most
	RowGroupBytes int64 // compressed bytes per row group, about
	PageBytes     int64 // uncompressed bytes per data page, about; 0 means DefaultPageBytes
	FileRows      int64 // rows per file at most
	FileBytes     int64 // bytes per file, about (checked after each row group)
	MaxOpenFiles  int   // files being written at once; the least recently used is finished past it
	// WriteMemory bounds the buffers of the open files, about: past it the
	// least recently used file is finished, and a file alone past it starts
	// a new row group. 0 means DefaultWriteMemory.
	WriteMemory int64
	ZstdLevel   int // zstd level (1 fastest .. 22 smallest); 0 means 3
	// Partition sets a table's granularity by name; tables not named are
	// partitioned by day when they have a partition column.
	Partition map[string]Granularity
	Allocator memory.Allocator
}

// The bounds of page_bytes.
const (
	minPageBytes = 4 << 10
	maxPageBytes = 64 << 20
)

// DefaultWriteMemory is the default bound of the open files' buffers.
const DefaultWriteMemory = 64 << 20

// DefaultPageBytes is the default size of a data page before compression.
// Each column being written holds a few buffers of a page (the values being
// encoded, the page, its compressed copy), made afresh for every row group:
// a quarter of Arrow's 1 MiB costs a quarter of that memory and of its
// zeroing, and costs compression little (a page header and a zstd frame
// every 256 KiB).
const DefaultPageBytes = 256 << 10

// DefaultOptions: row groups of up to 128 Ki rows or 64 MiB, pages of
// 256 KiB, files of up to 16 Mi rows or 512 MiB, four files open at once
// holding at most 64 MiB of buffers.
func DefaultOptions() Options {
	return Options{
		RowGroupRows:  128 << 10,
		RowGroupBytes: 64 << 20,
		PageBytes:     DefaultPageBytes,
		FileRows:      16 << 20,
		FileBytes:     512 << 20,
		MaxOpenFiles:  4,
		WriteMemory:   DefaultWriteMemory,
		ZstdLevel:     3,
	}
}

// Validate reports every problem at once.
func (o Options) Validate() error {
	var errs []error
	pos := func(name string, v int64) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive", name))
		}
	}
	pos("row_group_rows", o.RowGroupRows)
	pos("row_group_bytes", o.RowGroupBytes)
	if o.PageBytes != 0 && (o.PageBytes < minPageBytes || o.PageBytes > maxPageBytes) {
		errs = append(errs, fmt.Errorf("page_bytes must be between 4KiB and 64MiB"))
	}
	pos("file_rows", o.FileRows)
	pos("file_bytes", o.FileBytes)
	pos("max_open_files", int64(o.MaxOpenFiles))
	if o.WriteMemory < 0 {
		errs = append(errs, fmt.Errorf("write_memory must be positive"))
	}
	if o.ZstdLevel < 0 || o.ZstdLevel > 22 {
		errs = append(errs, fmt.Errorf("zstd_level must be between 1 and 22"))
	}
	if o.FileRows > 0 && o.RowGroupRows > o.FileRows {
		errs = append(errs, fmt.Errorf("row_group_rows (%d) must not exceed file_rows (%d)", o.RowGroupRows, o.FileRows))
	}
	return errors.Join(errs...)
}
