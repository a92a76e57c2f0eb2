package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/pull"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// ContactsKindName is the contact search kind.
const ContactsKindName = "calabrio-contacts"

// ContactsCursor is the cursor the kind keeps: the exclusive end day
// (YYYY-MM-DD) of the last whole day searched.
const ContactsCursor = "search_end"

// ContactPath is the Contact API search.
const ContactPath = "/api/rest/recording/contact"

func openContacts(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := parseContactOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, err
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	// No pagination is documented: one day per search keeps answers small.
	sp, err := planDays(o.Start, o.End, o.RepullDays, 1, ContactsCursor, cfg.Cursors[ContactsCursor], now)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", ContactsKindName, err)
	}
	k, err := newConn(o.conn, cfg)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", ContactsKindName, err)
	}
	s := &contactSource{o: o, k: k, span: sp, seen: map[int64]bool{}}
	for _, t := range s.Tables() {
		s.batchers = append(s.batchers, rowbuild.NewBatcher(cfg.Mem, t, cfg.Policy))
	}
	first, last := sp.windows[0], sp.windows[len(sp.windows)-1]
	key := pipeline.RunKey(ContactsKindName, []string{o.conn.BaseURL, "query=" + o.Query.Encode(),
		"range=" + first.Start.Format(time.DateOnly) + "/" + last.End.Format(time.DateOnly),
		fmt.Sprintf("media=%v:%s", o.Media, o.MediaFormat), fmt.Sprintf("transcripts=%v", o.Transcripts)})
	if o.Media {
		return pipeline.OpenedSource{Source: &mediaSource{s}, RunKey: key}, nil
	}
	return pipeline.OpenedSource{Source: s, RunKey: key}, nil
}

// Batcher positions in contactSource.batchers.
const (
	bContact = iota
	bMeta
	bMedia
	bTranscript
)

// contactSource searches one day per step and, for every new contact of
// the day, exports its media and transcript when asked to; then it flushes
// every table under the day's input name and a checkpoint closes the day.
type contactSource struct {
	o        contactOptions
	k        *conn
	span     span
	files    pipeline.FileStore
	batchers []*rowbuild.Batcher
	seen     map[int64]bool

	wi     int
	done   bool
	queue  []pipeline.Batch
	inputs []pipeline.InputInfo // the days searched, as Batch.Input names them

	contacts, merged, mediaFiles, mediaSkipped, mediaBytes, transcripts int64
	emptyDays                                                           int64 // searches answered 404: no contacts
	// contacts whose media or transcript the tenant does not have (yet)
	mediaUnavailable, mediaNotReady, transcriptsUnavailable, transcriptsSkipped int64
	unavailableIDs                                                              map[*int64][]int64
}

// mediaSource is a contactSource that stores media files, so that the
// runner hands it the sink's FileStore.
type mediaSource struct{ *contactSource }

func (s *mediaSource) UseFileStore(fs pipeline.FileStore) { s.files = fs }

func (s *contactSource) Tables() []pipeline.Table {
	ts := []pipeline.Table{Contact, Metadata}
	if s.o.Media {
		ts = append(ts, Media)
	}
	if s.o.Transcripts {
		ts = append(ts, Transcript)
	}
	return ts
}

func (s *contactSource) batcher(i int) *rowbuild.Batcher {
	switch i {
	case bMedia:
		if !s.o.Media {
			return nil
		}
		return s.batchers[2]
	case bTranscript:
		if !s.o.Transcripts {
			return nil
		}
		return s.batchers[len(s.batchers)-1]
	}
	return s.batchers[i]
}

func (s *contactSource) Next(ctx context.Context) (pipeline.Batch, error) {
	return pull.Next(ctx, ContactsKindName, &s.queue, &s.done, s.step)
}

// query is the search of window w.
func (s *contactSource) query(w window) url.Values {
	q := url.Values{}
	for k, v := range s.o.Query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("beginDate", w.Start.Format(time.DateOnly))
	q.Set("endDate", w.End.Format(time.DateOnly))
	q.Set("expand", "metadata")
	return q
}

// Inputs names every day searched, even one that found nothing, so that
// the sink replaces (or removes) the files an earlier run wrote for it.
func (s *contactSource) Inputs() []pipeline.InputInfo { return s.inputs }

// input names a day's output: a rerun of the same day replaces it.
func (s *contactSource) input(w window) string {
	return ContactsKindName + ":" + s.o.conn.BaseURL + ContactPath + "?" + s.query(w).Encode()
}

// step searches the next day.
func (s *contactSource) step(ctx context.Context) error {
	if s.o.Media && s.files == nil {
		return errors.New("media: true needs a sink that stores files")
	}
	w := s.span.windows[s.wi]
	in := s.input(w)
	src := fmt.Sprintf("GET %s beginDate=%s", ContactPath, w.Start.Format(time.DateOnly))
	dayNo := int32(w.Start.Unix() / 86400)
	var found []contact
	resp, err := s.k.do(ctx, http.MethodGet, ContactPath, s.query(w), nil, "", "application/json")
	switch {
	case notFound(err):
		// "If there are no contacts that meet the given parameters ...
		// the system returns a 404": a day without contacts.
		s.emptyDays++
	case err != nil:
		return fmt.Errorf("search %s: %w", w.Start.Format(time.DateOnly), err)
	default:
		err = eachElement(resp.Body, func(i int, raw json.RawMessage) {
			if c, ok := s.decode(src, i, raw, dayNo, in); ok {
				found = append(found, c)
			}
		})
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
	}
	if err := s.perContact(ctx, found, dayNo, in); err != nil {
		return err
	}
	for _, bt := range s.batchers {
		if bt.Pending() {
			s.queue = append(s.queue, bt.Flush(in))
		}
	}
	s.inputs = append(s.inputs, pipeline.InputInfo{Name: in})
	s.queue = append(s.queue, s.span.checkpoint(s.wi, ContactsCursor, in))
	s.wi++
	s.done = s.wi == len(s.span.windows)
	return nil
}

// contactWork is what one contact's media and transcript requests found.
type contactWork struct {
	media      mediaResult
	transcript transcriptResult
	err        error
}

// perContact sends each found contact's media and transcript requests,
// up to concurrency contacts at once (the rate limit still spaces the
// requests), and writes the outcomes in the contacts' order, so the
// tables are the same whatever the concurrency. At most concurrency
// outcomes wait to be written. The first error stops the day.
func (s *contactSource) perContact(ctx context.Context, found []contact, dayNo int32, in string) error {
	if !s.o.Media && !s.o.Transcripts {
		return nil
	}
	if s.o.Media && s.files == nil {
		return errors.New("media: true needs a sink that stores files")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]chan contactWork, len(found))
	next := 0
	start := func() {
		i := next
		next++
		results[i] = make(chan contactWork, 1)
		go func() {
			var w contactWork
			if s.o.Media {
				w.media, w.err = s.exportMedia(ctx, found[i], dayNo)
			}
			if s.o.Transcripts && w.err == nil {
				w.transcript, w.err = s.transcript(ctx, found[i])
			}
			results[i] <- w
		}()
	}
	for i, c := range found {
		for next < len(found) && next < i+s.o.Concurrency {
			start()
		}
		w := <-results[i]
		if w.err != nil {
			cancel()
			for j := i + 1; j < next; j++ {
				<-results[j] // let the others stop before the sink is aborted
			}
			return w.err
		}
		if s.o.Media {
			s.recordMedia(c, w.media, dayNo, in)
		}
		if s.o.Transcripts {
			s.recordTranscript(c, w.transcript, dayNo, in)
		}
	}
	return nil
}

// decode writes, merges or rejects one contact and its metadata.
func (s *contactSource) decode(src string, i int, raw json.RawMessage, dayNo int32, in string) (contact, bool) {
	bt, mt := s.batcher(bContact), s.batcher(bMeta)
	defer s.cut(bContact, in)
	defer s.cut(bMeta, in)
	c, meta, err := stageContact(bt.B, raw, dayNo, nil)
	if err != nil {
		col := ""
		var ce *contactError
		if errors.As(err, &ce) {
			col, err = ce.field, ce.err
		}
		bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: src, Record: int64(i), Column: col, Err: err}, Raw: string(raw)})
		return c, false
	}
	if s.seen[c.id] {
		bt.Merge() // the same contact twice in one answer, or on two days
		s.merged++
		return c, false
	}
	s.seen[c.id] = true
	bt.Commit(len(raw))
	s.contacts++
	for _, m := range meta {
		if m.key == "" {
			mt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: src, Record: int64(i), Column: "metadata", Err: errors.New("metadata entry without a key")}, Raw: string(raw)})
			continue
		}
		mt.B.SetInt(mContactID, c.id)
		mt.B.SetString(mKey, m.key)
		if m.has {
			mt.B.SetString(mValue, m.value)
		}
		mt.B.SetDate(mWindowDate, dayNo)
		mt.Commit(len(m.key) + len(m.value))
	}
	return c, true
}

// cut flushes batcher i when it is full.
func (s *contactSource) cut(i int, in string) {
	if bt := s.batcher(i); bt != nil && bt.Full() {
		s.queue = append(s.queue, bt.Flush(in))
	}
}

// Cursors reports the new search_end.
func (s *contactSource) Cursors() map[string]string {
	if !s.done {
		return nil
	}
	return map[string]string{ContactsCursor: s.span.cursor}
}

// ids adds the first contact ids of a count to the report, when any.
func (s *contactSource) ids(m map[string]any, key string, n *int64) {
	if ids := s.unavailableIDs[n]; len(ids) > 0 {
		m[key] = ids
	}
}

// Report describes the run.
func (s *contactSource) Report() map[string]any {
	m := map[string]any{"windows": len(s.span.windows), "days_without_contacts": s.emptyDays,
		"contacts": s.contacts, "contacts_merged": s.merged, "cursor": s.span.cursor}
	if s.o.Media {
		m["media_files"], m["media_bytes"], m["media_skipped_no_recording"] = s.mediaFiles, s.mediaBytes, s.mediaSkipped
		m["media_unavailable"], m["media_not_ready"] = s.mediaUnavailable, s.mediaNotReady
		s.ids(m, "media_unavailable_ids", &s.mediaUnavailable)
		s.ids(m, "media_not_ready_ids", &s.mediaNotReady)
	}
	if s.o.Transcripts {
		m["transcripts"], m["transcripts_skipped_no_recording"] = s.transcripts, s.transcriptsSkipped
		m["transcripts_unavailable"] = s.transcriptsUnavailable
		s.ids(m, "transcripts_unavailable_ids", &s.transcriptsUnavailable)
	}
	return s.k.report(m)
}

func (s *contactSource) Close() error {
	s.k.close()
	for _, q := range s.queue {
		q.Release()
	}
	s.queue = nil
	for _, b := range s.batchers {
		b.Release()
	}
	return nil
}
