package parquet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/parquet"

	"github.com/ccetl/ccetl/pipeline"
)

// pqFile is one Parquet file to read.
type pqFile struct {
	name  string // path or URL
	table string
	parts map[string]string
	size  int64
	etag  string
	open  func(ctx context.Context) (parquet.ReaderAtSeeker, io.Closer, error)
	root  string // the lake root it lies under, "" when unknown (for the manifest)
}

// skipDir reports folders of a lake that hold no table data.
func skipDir(name string) bool {
	return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || name == "media"
}

// tableOf finds a file's table and partitions from its path: the folder
// above the k=v folders.
func tableOf(p string) (table, root string, parts map[string]string) {
	parts = map[string]string{}
	dir := path.Dir(filepathToSlash(p))
	for {
		base := path.Base(dir)
		k, v, ok := strings.Cut(base, "=")
		if !ok || k == "" {
			break
		}
		parts[k] = v
		dir = path.Dir(dir)
	}
	return path.Base(dir), path.Dir(dir), parts
}

func filepathToSlash(p string) string {
	if strings.Contains(p, "://") {
		return p
	}
	return filepath.ToSlash(p)
}

// resolve lists the Parquet files the inputs name, pruned by the filter.
func resolve(ctx context.Context, cfg pipeline.SourceConfig, o options) ([]pqFile, error) {
	if len(cfg.Inputs) == 0 {
		return nil, fmt.Errorf("no input given: name a lake, a table folder, files or globs")
	}
	var out []pqFile
	for _, in := range cfg.Inputs {
		var fs []pqFile
		var err error
		if scheme, _, ok := strings.Cut(in, "://"); ok {
			fs, err = remoteFiles(ctx, cfg.Remote[scheme], scheme, in)
		} else {
			fs, err = localFiles(in)
		}
		if err != nil {
			return nil, err
		}
		if len(fs) == 0 {
			return nil, fmt.Errorf("input %s: no Parquet file", in)
		}
		out = append(out, fs...)
	}
	kept := out[:0]
	found := map[string]bool{}
	for _, f := range out {
		if o.table != "" {
			f.table = o.table
		}
		found[f.table] = true
		if (o.tables == nil || o.tables[f.table]) && o.where.match(f.parts) {
			kept = append(kept, f)
		}
	}
	for t := range o.tables {
		if !found[t] {
			return nil, fmt.Errorf("tables: the inputs hold no table %s", t)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].table != kept[j].table {
			return kept[i].table < kept[j].table
		}
		return kept[i].name < kept[j].name
	})
	return kept, nil
}

func localFiles(in string) ([]pqFile, error) {
	st, err := os.Stat(in)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", in, err)
	}
	var paths []string
	if !st.IsDir() {
		paths = []string{in}
	} else {
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != in && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".parquet") {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", in, err)
		}
	}
	var out []pqFile
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		table, root, parts := tableOf(p)
		out = append(out, pqFile{name: p, table: table, parts: parts, size: fi.Size(), root: filepath.FromSlash(root),
			open: func(context.Context) (parquet.ReaderAtSeeker, io.Closer, error) {
				f, err := os.Open(p)
				return f, f, err
			}})
	}
	return out, nil
}

func remoteFiles(ctx context.Context, r pipeline.RemoteFiles, scheme, in string) ([]pqFile, error) {
	if r == nil {
		return nil, fmt.Errorf("input %s: no reader for %s:// inputs", in, scheme)
	}
	url := in
	if !strings.ContainsAny(in, "*?[") && !strings.HasSuffix(in, ".parquet") {
		url = strings.TrimRight(in, "/") + "/**"
	}
	objs, err := r.List(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", in, err)
	}
	var out []pqFile
	for _, obj := range objs {
		if !strings.HasSuffix(obj.URL, ".parquet") || hasSkippedDir(obj.URL) {
			continue
		}
		table, _, parts := tableOf(obj.URL)
		obj := obj
		out = append(out, pqFile{name: obj.URL, table: table, parts: parts, size: obj.Size, etag: obj.ETag,
			open: func(ctx context.Context) (parquet.ReaderAtSeeker, io.Closer, error) {
				ra, err := r.ReaderAt(ctx, obj)
				if err != nil {
					return nil, nil, err
				}
				return io.NewSectionReader(ra, 0, obj.Size), io.NopCloser(nil), nil
			}})
	}
	return out, nil
}

func hasSkippedDir(url string) bool {
	_, rest, _ := strings.Cut(url, "://")
	segs := strings.Split(rest, "/")
	for _, s := range segs[1 : len(segs)-1] { // not the bucket, not the file
		if skipDir(s) {
			return true
		}
	}
	return false
}

// manifestPartitionBy reads the partition column a ccetl lake's manifests
// record for a table ("" when there is none to read).
func manifestPartitionBy(root, table string) string {
	if root == "" {
		return ""
	}
	ms, _ := filepath.Glob(filepath.Join(root, "_manifests", table, "*.json"))
	for _, m := range ms {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		var doc struct {
			PartitionBy string `json:"partition_by"`
		}
		if json.Unmarshal(data, &doc) == nil && doc.PartitionBy != "" {
			return doc.PartitionBy
		}
	}
	return ""
}
