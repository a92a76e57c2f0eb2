package push

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"

	"github.com/ccetl/ccetl/pipeline"
)

// Part is one file of a multipart/form-data upload.
type Part struct {
	Field    string // the form field name
	FileName string
	Type     string // its Content-Type; "" for application/octet-stream
	Body     io.Reader
}

// Multipart builds a multipart/form-data body of files, returning it with
// its Content-Type (boundary included). The body is built in memory, once,
// so a retry sends the same bytes.
func Multipart(parts ...Part) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.Field, p.FileName))
		ct := p.Type
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if _, err := io.Copy(w, p.Body); err != nil {
			return nil, "", fmt.Errorf("multipart %s: %w", p.FileName, err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// CSV writes a header and the changes' wire cells in its order (missing
// cells empty), quoting as RFC 4180 asks.
func CSV(header []string, rows []pipeline.Wire) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	rec := make([]string, len(header))
	var layout *pipeline.WireLayout
	var at []int // the header's cells in layout, -1 for none
	for _, r := range rows {
		if l := r.Layout(); l != nil {
			if l != layout {
				layout, at = l, make([]int, len(header))
				for i, h := range header {
					at[i] = l.Index(h)
				}
			}
			for i, j := range at {
				rec[i] = ""
				if j >= 0 {
					rec[i] = r.At(j)
				}
			}
		} else {
			for i, h := range header {
				rec[i] = r.Get(h)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
