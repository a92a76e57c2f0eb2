package parquet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
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
	// lake reads what the manifests of the lake the file lies in say of
	// its table; lakeKey names that table of that lake, rel the file's
	// path from the lake's root.
	lake    func(ctx context.Context) lakeView
	lakeKey string
	rel     string
	view    *lakeView // set by resolve
}

// lakeView is what a ccetl lake's manifests say of a table: how it is
// partitioned, and the data files they list (nil: the table has no
// manifest, so every file is read).
type lakeView struct {
	partitionBy string
	listed      map[string]bool
}

// readLakeView reads a table's manifests (ms, each read with read).
func readLakeView(ms []string, read func(string) ([]byte, error)) lakeView {
	var v lakeView
	for _, m := range ms {
		data, err := read(m)
		if err != nil {
			continue
		}
		var doc struct {
			PartitionBy string `json:"partition_by"`
			Files       []struct {
				Path string `json:"path"`
			} `json:"files"`
		}
		if json.Unmarshal(data, &doc) != nil {
			continue
		}
		if v.partitionBy == "" {
			v.partitionBy = doc.PartitionBy
		}
		if v.listed == nil {
			v.listed = map[string]bool{}
		}
		for _, f := range doc.Files {
			v.listed[f.Path] = true
		}
	}
	return v
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
	seen := map[string]bool{} // a file two inputs name (a lake and a table in it) is read once
	keys := map[string]bool{} // the partition keys of the tables read
	views := map[string]*lakeView{}
	unlisted := 0
	for _, f := range out {
		id := f.name
		if !strings.Contains(id, "://") {
			if abs, err := filepath.Abs(id); err == nil {
				id = abs
			}
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		v := views[f.lakeKey]
		if v == nil {
			lv := f.lake(ctx)
			v = &lv
			views[f.lakeKey] = v
		}
		f.view = v
		if v.listed != nil && !v.listed[f.rel] {
			unlisted++ // a run that stopped while committing, or one committing now
			continue
		}
		if o.table != "" {
			f.table = o.table
		}
		found[f.table] = true
		if o.tables != nil && !o.tables[f.table] {
			continue
		}
		for k := range f.parts {
			keys[k] = true
		}
		if o.where.match(f.parts) {
			kept = append(kept, f)
		}
	}
	if unlisted > 0 && cfg.Logger != nil {
		cfg.Logger.Warn("files no manifest of their lake lists are not read: a run stopped while committing them or deleting them, or one committing now (its next run repairs the table; ccetl lake check lists them)",
			"files", unlisted)
	}
	for t := range o.tables {
		if !found[t] {
			return nil, fmt.Errorf("tables: the inputs hold no table %s", t)
		}
	}
	for _, k := range o.where.keys() {
		if !keys[k] { // a misspelt key would otherwise select nothing, silently
			have := slices.Sorted(maps.Keys(keys))
			return nil, fmt.Errorf("where: the inputs have no partition %s (their partition folders are %s)", k, orNone(have))
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

// orNone lists names, or says there are none.
func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
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
		root = filepath.FromSlash(root)
		rel, _ := filepath.Rel(root, p)
		out = append(out, pqFile{name: p, table: table, parts: parts, size: fi.Size(),
			lakeKey: root + "\x00" + table, rel: filepath.ToSlash(rel),
			lake: func(context.Context) lakeView {
				ms, _ := filepath.Glob(filepath.Join(root, "_manifests", table, "*.json"))
				return readLakeView(ms, os.ReadFile)
			},
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
		scheme, rest, _ := strings.Cut(obj.URL, "://")
		table, root, parts := tableOf(rest) // the path without the scheme, whose // path would clean away
		root = scheme + "://" + root
		obj := obj
		out = append(out, pqFile{name: obj.URL, table: table, parts: parts, size: obj.Size, etag: obj.ETag,
			lakeKey: root + "\x00" + table, rel: strings.TrimPrefix(obj.URL, root+"/"),
			lake: func(ctx context.Context) lakeView {
				ms, err := r.List(ctx, root+"/_manifests/"+table+"/*.json")
				if err != nil {
					return lakeView{}
				}
				byURL := map[string]pipeline.RemoteFile{}
				var urls []string
				for _, m := range ms {
					byURL[m.URL] = m
					urls = append(urls, m.URL)
				}
				return readLakeView(urls, func(u string) ([]byte, error) {
					rc, err := r.Open(ctx, byURL[u])
					if err != nil {
						return nil, err
					}
					defer rc.Close()
					return io.ReadAll(io.LimitReader(rc, 64<<20))
				})
			},
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
