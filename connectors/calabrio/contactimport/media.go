package contactimport

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// mediaOpener opens recording paths under a lake's root: a directory, or a
// URL its scheme's remote reads (s3://bucket/prefix).
func mediaOpener(root string, remote map[string]pipeline.RemoteFiles) func(string) (io.ReadCloser, error) {
	return func(rel string) (io.ReadCloser, error) {
		rel = strings.TrimPrefix(rel, "/")
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return nil, fmt.Errorf("recording path %q leaves media_root", rel)
		}
		scheme, _, ok := strings.Cut(root, "://")
		if !ok {
			return os.Open(filepath.Join(root, filepath.FromSlash(rel)))
		}
		r := remote[scheme]
		if r == nil {
			return nil, fmt.Errorf("media_root %s: no reader for %s://", root, scheme)
		}
		url := root + "/" + rel
		objs, err := r.List(context.Background(), url)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if o.URL == url {
				return r.Open(context.Background(), o)
			}
		}
		return nil, fmt.Errorf("recording %s: not found", url)
	}
}
