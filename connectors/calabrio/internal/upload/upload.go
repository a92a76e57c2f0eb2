package upload

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// Options say which files of an upload are content files.
type Options struct {
	// Kind is the kind's name; with the inputs it gives the upload's ID.
	Kind string
	// Content reports whether a lower-case extension (no dot) names a
	// content file of the kind: a recording, a TXT body.
	Content func(ext string) bool
	// Limits bound the upload's ZIP archives (zip bombs).
	Limits inputs.Limits
	// Remote reads s3:// inputs (from the source config).
	Remote map[string]pipeline.RemoteFiles
}

// Upload is every file of one run, as one multipart request would hold it.
type Upload struct {
	Set *inputs.Set
	// ID is the run key of the kind over the upload's inputs
	// (pipeline.RunKey): stable across reruns of the same inputs, it names
	// the run's manifests and stored files, and tags every row.
	ID string
	// Meta are the CSV and JSON metadata files, in input order.
	Meta []inputs.File
	// Unsupported names the files of no type the upload takes.
	Unsupported []string

	content []*Content
	byBase  map[string]*Content
	store   pipeline.FileStore
	pending []*Content // content files the row being decoded references
}

// Resolve reads the paths (files, folders, ZIP archives) as one upload.
func Resolve(paths []string, o Options) (*Upload, error) {
	set, err := inputs.Resolve(paths, inputs.Options{Limits: o.Limits, Remote: o.Remote})
	if err != nil {
		return nil, err
	}
	u := &Upload{Set: set, ID: pipeline.RunKey(o.Kind, set.Names()), byBase: map[string]*Content{}}
	first := map[string]string{}
	var dups []string
	for _, f := range set.Files {
		if prev, ok := first[f.Base]; ok {
			dups = append(dups, fmt.Sprintf("%s (%s and %s)", f.Base, prev, f.Name))
			continue
		}
		first[f.Base] = f.Name
		switch ext := f.Ext(); {
		case ext == "csv" || ext == "json":
			u.Meta = append(u.Meta, f)
		case o.Content(ext):
			c := &Content{File: f, Name: Name(f), index: len(u.content)}
			u.content = append(u.content, c)
			u.byBase[f.Base] = c
		default:
			u.Unsupported = append(u.Unsupported, Name(f))
		}
	}
	switch {
	case len(dups) > 0:
		set.Close()
		return nil, fmt.Errorf("the upload holds more than one file named %s: folders are flattened to base names, so every file name must be unique",
			strings.Join(dups, ", "))
	case len(u.Meta) == 0:
		set.Close()
		return nil, errors.New("the upload holds no CSV or JSON metadata file")
	}
	return u, nil
}

// Name is a file's name within the upload, independent of where the run
// found it: the base name of a loose file, "archive.zip!dir/member" for a
// ZIP member.
func Name(f inputs.File) string {
	return filepath.Base(f.Input) + strings.TrimPrefix(f.Name, f.Input)
}

// Close closes the upload's archives.
func (u *Upload) Close() error { return u.Set.Close() }

// UseFileStore sets where Store copies content files.
func (u *Upload) UseFileStore(fs pipeline.FileStore) { u.store = fs }

// Report lists, under keys named after noun ("recordings"), the content
// files no written row references: unreferenced_<noun> (no row at all)
// and <noun>_referenced_only_by_rejected_rows, plus unsupported_files.
// Both lists are always present, so an empty list says "none".
func (u *Upload) Report(noun string) map[string]any {
	unref, rejected := []string{}, []string{}
	for _, c := range u.content {
		switch {
		case c.Written > 0:
		case c.Rejected > 0:
			rejected = append(rejected, c.Name)
		default:
			unref = append(unref, c.Name)
		}
	}
	sort.Strings(unref)
	sort.Strings(rejected)
	m := map[string]any{
		"unreferenced_" + noun:                     unref,
		noun + "_referenced_only_by_rejected_rows": rejected,
	}
	if len(u.Unsupported) > 0 {
		m["unsupported_files"] = append([]string(nil), u.Unsupported...)
	}
	return m
}
