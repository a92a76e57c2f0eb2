package lake

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Check verifies a lake against its manifests: every data file is listed
// in exactly one manifest and every rejects file in one; every file a
// manifest lists is there; each data file's size, row count (from its
// Parquet footer) and schema match its manifest; a manifest's rows are the
// sum of its files'. Staging, job state and media are not checked. Every
// problem is returned; an error means the lake could not be read.
func Check(ctx context.Context, st Store) (pipeline.LakeCheck, error) {
	var res pipeline.LakeCheck
	objs, err := st.List(ctx, "")
	if err != nil {
		return res, err
	}
	present := map[string]ObjectInfo{}
	var data, manifests, rejects []string
	tables := map[string]bool{}
	for _, o := range objs {
		present[o.Key] = o
		top, rest, _ := strings.Cut(o.Key, "/")
		switch {
		case top == "_manifests" && strings.HasSuffix(o.Key, ".json"):
			manifests = append(manifests, o.Key)
		case top == "_rejects" && strings.HasSuffix(o.Key, ".jsonl"):
			rejects = append(rejects, o.Key)
		case strings.HasPrefix(top, "_") || strings.HasPrefix(top, ".") || top == "media" || rest == "":
		case strings.HasSuffix(o.Key, ".parquet"):
			data = append(data, o.Key)
			tables[top] = true
		}
	}
	add := func(table, f, m, format string, args ...any) {
		res.Problems = append(res.Problems, pipeline.LakeProblem{Table: table, File: f, Manifest: m, Problem: fmt.Sprintf(format, args...)})
	}
	listedIn := map[string][]string{}
	for _, key := range manifests {
		m, err := ReadManifest(ctx, st, key)
		if err != nil {
			add("", "", key, "%v", err)
			continue
		}
		res.Manifests++
		tables[m.Table] = true
		if folder := path.Base(path.Dir(key)); folder != m.Table {
			add(m.Table, "", key, "describes table %q but is in the folder of %q", m.Table, folder)
		}
		var sum int64
		for _, f := range m.Files {
			listedIn[f.Path] = append(listedIn[f.Path], key)
			sum += f.Rows
			o, ok := present[f.Path]
			switch {
			case !strings.HasPrefix(f.Path, m.Table+"/"):
				add(m.Table, f.Path, key, "listed but not a file of table %s", m.Table)
				continue
			case !ok:
				add(m.Table, f.Path, key, "listed but not there")
				continue
			case o.Size != f.Bytes:
				add(m.Table, f.Path, key, "%d bytes in the file, the manifest says %d", o.Size, f.Bytes)
			}
			rows, fp, err := footer(ctx, st, f.Path)
			switch {
			case err != nil:
				add(m.Table, f.Path, key, "not a readable Parquet file: %v", err)
			case rows != f.Rows:
				add(m.Table, f.Path, key, "%d rows in the file, the manifest says %d", rows, f.Rows)
			case fp != m.SchemaFingerprint:
				add(m.Table, f.Path, key, "schema %s, the manifest says %s", fp, m.SchemaFingerprint)
			}
		}
		if sum != m.Rows {
			add(m.Table, "", key, "its files hold %d rows, it says %d", sum, m.Rows)
		}
		for _, r := range m.Rejects {
			listedIn[r] = append(listedIn[r], key)
			if _, ok := present[r]; !ok {
				add(m.Table, r, key, "rejects file listed but not there")
			}
		}
		res.Rows += m.Rows
	}
	for _, f := range data {
		res.Files++
		table, _, _ := strings.Cut(f, "/")
		switch n := len(listedIn[f]); {
		case n == 0:
			add(table, f, "", "not listed in any manifest")
		case n > 1:
			add(table, f, "", "listed in %d manifests: %s", n, strings.Join(listedIn[f], ", "))
		}
	}
	for _, r := range rejects {
		if len(listedIn[r]) == 0 {
			add(path.Base(path.Dir(r)), r, "", "rejects file not listed in any manifest")
		}
	}
	res.Tables = len(tables)
	slices.SortStableFunc(res.Problems, func(a, b pipeline.LakeProblem) int {
		return strings.Compare(a.Table+a.File+a.Manifest, b.Table+b.File+b.Manifest)
	})
	return res, nil
}

// footer reads a Parquet file's row count and schema fingerprint. A local
// file is read in place; any other object is copied to a temporary file
// first (the footer is at its end).
func footer(ctx context.Context, st Store, key string) (int64, string, error) {
	var f *os.File
	if ls, ok := st.(*LocalStore); ok {
		p, err := ls.path(key)
		if err != nil {
			return 0, "", err
		}
		if f, err = os.Open(p); err != nil {
			return 0, "", err
		}
	} else {
		r, err := st.Open(ctx, key)
		if err != nil {
			return 0, "", err
		}
		defer r.Close()
		if f, err = os.CreateTemp("", "ccetl-check-*.parquet"); err != nil {
			return 0, "", err
		}
		defer os.Remove(filepath.Clean(f.Name()))
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return 0, "", err
		}
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return 0, "", err
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return 0, "", err
	}
	sc, err := fr.Schema()
	if err != nil {
		return 0, "", err
	}
	return pr.NumRows(), FileSchemaFingerprint(sc), nil
}
