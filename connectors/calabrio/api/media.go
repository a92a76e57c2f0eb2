package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// MediaPathFmt is the Single Contact Export (POST to prepare, GET to fetch).
const MediaPathFmt = "/api/rest/recording/media/export/contact/%d"

// notReady is the start of the answer that says a media file is not ready
// yet: "The following file does not exist or may have expired: c309.wav".
const notReady = "does not exist or may have expired"

// maxJSONAnswer bounds a JSON answer read from a media GET.
const maxJSONAnswer = 64 << 10

// errNotReady is a media file still not ready after media_attempts GETs.
var errNotReady = errors.New("the media file was still not ready (\"does not exist or may have expired\")")

// notFound reports a 404: the tenant has no such thing for the contact.
func notFound(err error) bool {
	se, ok := errors.AsType[*httpx.StatusError](err)
	return ok && se.StatusCode == http.StatusNotFound
}

// maxUnavailableIDs bounds the contact ids the report lists per count.
const maxUnavailableIDs = 100

// unavailable counts a contact whose media or transcript the tenant does
// not have (yet), keeping the first ids for the report.
func (s *contactSource) unavailable(n *int64, id int64) {
	*n++
	if s.unavailableIDs == nil {
		s.unavailableIDs = map[*int64][]int64{}
	}
	if len(s.unavailableIDs[n]) < maxUnavailableIDs {
		s.unavailableIDs[n] = append(s.unavailableIDs[n], id)
	}
}

// perContact reports whether a failed request other than a 404 concerns
// only its contact (a bad request, a conflict): the row is then rejected
// with the reason and the run goes on. Authentication, rate-limit and
// server failures stop the run. Callers test notFound first.
func perContact(err error) bool {
	se, ok := errors.AsType[*httpx.StatusError](err)
	if !ok {
		return false
	}
	switch se.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		return false
	}
	return se.StatusCode >= 400 && se.StatusCode < 500
}

// mediaResult is what the requests of one contact's media found.
type mediaResult struct {
	skipped     bool // the contact has no recording
	unavailable bool // 404: the tenant has no media for it
	notReady    bool // not prepared within media_attempts GETs
	reject      error
	ref         pipeline.FileRef
	contentType string
	gets        int
	requestIDs  []string
}

// exportMedia prepares and downloads one contact's media into the file
// store. It only sends requests and stores the file, so several contacts'
// media are fetched at once; recordMedia writes the outcome. An error
// stops the run.
//
// Media the tenant does not have for a contact (404 "Requested contact does
// not exist!") or does not prepare within media_attempts GETs is counted
// in the report (media_unavailable, media_not_ready), not rejected: the
// trailing window's repull asks again.
func (s *contactSource) exportMedia(ctx context.Context, c contact, dayNo int32) (mediaResult, error) {
	var r mediaResult
	if !c.hasRecording() {
		r.skipped = true // nothing was uploaded for this contact
		return r, nil
	}
	path := fmt.Sprintf(MediaPathFmt, c.id)
	q := url.Values{"type": {s.o.MediaFormat}}
	if _, err := s.k.do(ctx, http.MethodPost, path, q, nil, "", "application/json"); err != nil {
		switch {
		case notFound(err):
			r.unavailable = true
		case perContact(err):
			r.reject = err
		default:
			return r, fmt.Errorf("prepare media of contact %d: %w", c.id, err)
		}
		return r, nil
	}
	wait := s.o.MediaWait
	for get := 1; ; get++ {
		if err := sleepCtx(ctx, wait); err != nil {
			return r, err
		}
		wait = min(2*max(wait, time.Millisecond), s.o.MediaMaxWait)
		ref, ct, reqID, err := s.fetchMedia(ctx, path, q, c, dayNo)
		switch {
		case err == nil && reqID == "" && ref.Path != "":
			r.ref, r.contentType, r.gets = ref, ct, get
			return r, nil
		case errors.Is(err, errBodyBroken):
			// Stream hands a body that broke off part way to the caller:
			// download it again, spending a retry of the run's budget.
			if berr := s.k.budget.Spend(); berr != nil {
				return r, fmt.Errorf("media of contact %d: %w: %w", c.id, berr, err)
			}
			continue
		case err != nil && notFound(err):
			r.unavailable = true
			return r, nil
		case err != nil && perContact(err):
			r.reject = err
			return r, nil
		case err != nil:
			return r, fmt.Errorf("media of contact %d: %w", c.id, err)
		}
		if reqID != "-" { // not ready yet
			r.requestIDs = append(r.requestIDs, reqID)
		}
		if get >= s.o.MediaAttempts {
			r.notReady = true
			return r, nil
		}
	}
}

// recordMedia writes one contact's cal_contact_media row, rejects it, or
// counts what the tenant did not have.
func (s *contactSource) recordMedia(c contact, r mediaResult, dayNo int32, in string) {
	bt := s.batcher(bMedia)
	defer s.cut(bMedia, in)
	raw := fmt.Sprintf(`{"contact_id":%d,"format":%q}`, c.id, s.o.MediaFormat)
	switch {
	case r.skipped:
		s.mediaSkipped++
	case r.unavailable:
		s.unavailable(&s.mediaUnavailable, c.id)
	case r.notReady:
		s.unavailable(&s.mediaNotReady, c.id)
	case r.reject != nil:
		src := "GET " + fmt.Sprintf(MediaPathFmt, c.id) + "?type=" + s.o.MediaFormat
		bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: src, Record: -1, Err: r.reject}, Raw: raw})
	default:
		b := bt.B
		b.SetInt(dContactID, c.id)
		b.SetString(dFormat, s.o.MediaFormat)
		b.SetString(dPath, r.ref.Path)
		b.SetInt(dBytes, r.ref.Bytes)
		b.SetString(dSHA256, r.ref.SHA256)
		if r.contentType != "" {
			b.SetString(dContentType, r.contentType)
		}
		b.SetInt(dGets, int64(r.gets))
		b.SetList(dRequestIDs, append([]string{}, r.requestIDs...))
		b.SetDate(dWindowDate, dayNo)
		bt.Commit(len(raw))
		s.mediaFiles++
		s.mediaBytes += r.ref.Bytes
	}
}

// errBodyBroken is a media download that broke off part way.
var errBodyBroken = errors.New("the media download broke off")

// fetchMedia GETs a media file. A "does not exist or may have expired"
// answer (as an error status or as a JSON body) returns its requestId ("-"
// when it has none) and no error; a file is streamed into the store.
func (s *contactSource) fetchMedia(ctx context.Context, path string, q url.Values, c contact, dayNo int32) (pipeline.FileRef, string, string, error) {
	resp, err := s.k.stream(ctx, http.MethodGet, path, q, "*/*")
	if err != nil {
		if se, ok := errors.AsType[*httpx.StatusError](err); ok && strings.Contains(se.Message, notReady) {
			return pipeline.FileRef{}, "", orDash(se.RequestID), nil
		}
		return pipeline.FileRef{}, "", "", err
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if strings.Contains(strings.ToLower(ct), "json") {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONAnswer))
		if err != nil {
			return pipeline.FileRef{}, "", "", errBodyBroken
		}
		var a struct {
			ErrorMessage string `json:"errorMessage"`
			RequestID    string `json:"requestId"`
		}
		if json.Unmarshal(body, &a) == nil && strings.Contains(a.ErrorMessage, notReady) {
			return pipeline.FileRef{}, "", orDash(a.RequestID), nil
		}
		return pipeline.FileRef{}, "", "", fmt.Errorf("GET %s: a JSON answer instead of the media file (the success answer is not documented, doc error 41)", path)
	}
	day := time.Unix(int64(dayNo)*86400, 0).UTC().Format(time.DateOnly)
	rel := "calabrio/contact-media/" + day + "/" + strconv.FormatInt(c.id, 10) + "." + MediaFormats[s.o.MediaFormat]
	body := &readErr{r: countingReader{r: resp.Body, n: s.k.bytes}}
	ref, err := s.files.PutFile(ctx, rel, body)
	if err != nil {
		if body.err != nil && ctx.Err() == nil {
			return pipeline.FileRef{}, "", "", fmt.Errorf("%w: %v", errBodyBroken, body.err)
		}
		return pipeline.FileRef{}, "", "", fmt.Errorf("store media of contact %d: %w", c.id, err)
	}
	return ref, ct, "", nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readErr remembers the first read error that is not io.EOF, to tell a
// broken download from a failing store.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}
