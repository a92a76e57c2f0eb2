// Package calpush is what the Calabrio push targets share: sending one
// batch as a multipart upload and acknowledging it to the journal.
package calpush

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Upload is one batch's upload.
type Upload struct {
	Conn   *calapi.Conn
	Path   string
	Query  url.Values
	Entity string
	Batch  []pipeline.Change
	Parts  []push.Part
	// Repeatable says a retry cannot duplicate anything (an upsert): the
	// client retries as it retries reads. Otherwise the upload is sent
	// once, again only when the connection was refused (it never reached
	// the tenant).
	Repeatable bool
	// Accepted, when set, runs once the tenant accepted the upload (to read
	// back what it did), before Outcome.
	Accepted func(context.Context) error
	// Outcome tells what became of each change once the tenant accepted
	// the upload; nil makes every change "sent".
	Outcome func(pipeline.Change) pipeline.Outcome
	// What names the batch in the request column, e.g. "12 rows".
	What string
}

// Send begins the batch in the journal, uploads it and acknowledges it. A
// 4xx refusal (other than 429) fails every change with the tenant's
// message: nothing of the upload was imported. Any other failure stops the
// push, the batch left pending.
func Send(ctx context.Context, u Upload, j pipeline.Journal) error {
	f, err := begin(ctx, u, j)
	if err != nil {
		return err
	}
	f.exchange(ctx)
	return f.finish(ctx, j)
}

// flight is one upload: begun in the journal, its body built, then sent
// and finished.
type flight struct {
	u     Upload
	body  []byte
	ctype string
	resp  *httpx.Response
	err   error
	done  chan struct{} // closed when the exchange is over
}

func begin(ctx context.Context, u Upload, j pipeline.Journal) (*flight, error) {
	var err error
	if rj, ok := j.(pipeline.RepeatableJournal); ok && u.Repeatable {
		err = rj.BeginRepeatable(ctx, u.Entity, u.Batch) // a resend replaces what it sent
	} else {
		err = j.Begin(ctx, u.Entity, u.Batch)
	}
	if err != nil {
		return nil, err
	}
	body, ctype, err := push.Multipart(u.Parts...)
	if err != nil {
		return nil, err
	}
	return &flight{u: u, body: body, ctype: ctype, done: make(chan struct{})}, nil
}

func (f *flight) exchange(ctx context.Context) {
	defer close(f.done)
	f.resp, f.err = send(ctx, f.u, f.body, f.ctype)
	f.body = nil
}

// finish acknowledges the upload's outcome, or returns why the push
// cannot go on.
func (f *flight) finish(ctx context.Context, j pipeline.Journal) error {
	u := f.u
	res := pipeline.BatchResult{Entity: u.Entity, Request: fmt.Sprintf("POST %s (%s)", u.Path, u.What)}
	switch err := f.err; {
	case push.Refused(err):
		for _, c := range u.Batch {
			o := pipeline.Outcome{Seq: c.Seq}
			res.RequestID, _ = push.FailedBy(err, &o)
			res.Outcomes = append(res.Outcomes, o)
		}
		return j.Ack(ctx, res)
	case err != nil && u.Repeatable:
		return fmt.Errorf("upload %s: %w", u.Entity, err)
	case err != nil:
		return fmt.Errorf("upload %s (the batch may or may not be imported; it stays pending): %w", u.Entity, err)
	}
	res.Response = string(f.resp.Body)
	if u.Accepted != nil {
		if err := u.Accepted(ctx); err != nil {
			return fmt.Errorf("upload %s: accepted, but %w", u.Entity, err)
		}
	}
	res.Outcomes = make([]pipeline.Outcome, 0, len(u.Batch))
	for _, c := range u.Batch {
		o := pipeline.Outcome{Seq: c.Seq, Status: pipeline.StatusSent}
		if u.Outcome != nil {
			o = u.Outcome(c)
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return j.Ack(ctx, res)
}

// Pipeline sends repeatable uploads one after another with the work
// between them overlapped: while one upload is in flight the next is
// begun in the journal (without a pending record where the journal allows
// it: a resend replaces what it sent) and its body built. The tenant still sees one
// upload at a time, in order, and an upload goes only once the one before
// is acknowledged, so a push stopped after a batch (by the failure limits
// or the journal) has sent nothing after it. An upload that is not
// Repeatable goes alone, as Send sends it.
type Pipeline struct {
	J      pipeline.Journal
	flight *flight
}

// Send queues u: it returns once u is on its way, or with the error that
// stops the push (an earlier upload's).
func (p *Pipeline) Send(ctx context.Context, u Upload) error {
	if !u.Repeatable {
		if err := p.Close(ctx); err != nil {
			return err
		}
		return Send(ctx, u, p.J)
	}
	next, err := begin(ctx, u, p.J)
	if err != nil {
		if cerr := p.Close(ctx); cerr != nil && cerr != err { // a journal repeats the error that stops it
			return errors.Join(err, cerr)
		}
		return err
	}
	if err := p.Close(ctx); err != nil {
		return err // next stays pending, unsent: a repeatable upload is sent again
	}
	p.flight = next
	go next.exchange(ctx)
	return nil
}

// Close waits for the upload in flight and acknowledges it.
func (p *Pipeline) Close(ctx context.Context) error {
	f := p.flight
	if f == nil {
		return nil
	}
	p.flight = nil
	<-f.done
	return f.finish(ctx, p.J)
}

func send(ctx context.Context, u Upload, body []byte, ctype string) (*httpx.Response, error) {
	if u.Repeatable {
		return u.Conn.Do(ctx, http.MethodPost, u.Path, u.Query, body, ctype, "application/json")
	}
	return push.SendOnce(ctx, 3, func(ctx context.Context) (*httpx.Response, error) {
		return u.Conn.Do(ctx, http.MethodPost, u.Path, u.Query, body, ctype, "application/json")
	})
}

// DropDir is a Data Server drop folder: a directory, or a URL (s3://) of
// a remote that writes objects.
type DropDir struct {
	Dir    string
	Remote map[string]pipeline.RemoteFiles
}

// Drop writes a batch into a Data Server drop folder instead of uploading
// it: every media or body file first, then the metadata CSV under
// csvName, each becoming visible only whole (a directory's files are
// written to a temporary name and renamed; an S3 object appears when
// complete), so the Data Server never sees a CSV before its files or a
// file half written. It acknowledges the batch as sent.
func Drop(ctx context.Context, d DropDir, csvName string, csvData []byte, files map[string][]byte, entity string, batch []pipeline.Change, j pipeline.Journal) error {
	if err := j.Begin(ctx, entity, batch); err != nil {
		return err
	}
	write := func(name string, data []byte) error { return atomicWrite(d.Dir, name, data) }
	where := filepath.Join(d.Dir, csvName)
	if scheme, _, ok := strings.Cut(d.Dir, "://"); ok {
		w, ok := d.Remote[scheme].(pipeline.RemoteWriter)
		if !ok {
			return fmt.Errorf("drop folder %s: %s:// cannot be written", d.Dir, scheme)
		}
		base := strings.TrimRight(d.Dir, "/") + "/"
		write = func(name string, data []byte) error {
			if name != filepath.Base(name) {
				return fmt.Errorf("drop folder: file name %q is not a plain name", name)
			}
			return w.Put(ctx, base+name, data)
		}
		where = base + csvName
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := write(name, files[name]); err != nil {
			return err
		}
	}
	if err := write(csvName, csvData); err != nil {
		return err
	}
	res := pipeline.BatchResult{Entity: entity, Request: fmt.Sprintf("drop %s (%d rows, %d files)", where, len(batch), len(files))}
	for _, c := range batch {
		res.Outcomes = append(res.Outcomes, pipeline.Outcome{Seq: c.Seq, Status: pipeline.StatusSent})
	}
	return j.Ack(ctx, res)
}

func atomicWrite(dir, name string, data []byte) error {
	if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("drop folder: file name %q is not a plain name", name)
	}
	tmp, err := os.CreateTemp(dir, ".ccetl-drop-*")
	if err != nil {
		return fmt.Errorf("drop folder: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("drop folder %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("drop folder %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("drop folder %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("drop folder %s: %w", name, err)
	}
	return nil
}

// DropOptions are the options of the targets that can write a Data
// Server drop folder.
var DropOptions = []pipeline.Option{
	{Name: "mode", Default: "api", Doc: "api (upload through the REST API) or drop (write the Data Server's drop-folder form into drop_dir)"},
	{Name: "drop_dir", Doc: "with mode drop: the Data Server's GIS <tenant> folder: a local or mounted directory, or an s3:// prefix the Data Server collects from"},
}

// ParseDrop reads DropOptions: the drop folder, or "" for the API.
func ParseDrop(m map[string]string) (string, error) {
	switch m["mode"] {
	case "", "api":
		if m["drop_dir"] != "" {
			return "", fmt.Errorf("drop_dir is for mode drop")
		}
		return "", nil
	case "drop":
		dir := m["drop_dir"]
		if dir == "" {
			return "", fmt.Errorf("mode drop needs drop_dir")
		}
		if strings.Contains(dir, "://") {
			return dir, nil
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("drop_dir %s: not a directory", dir)
		}
		return dir, nil
	}
	return "", fmt.Errorf("mode must be api or drop")
}
