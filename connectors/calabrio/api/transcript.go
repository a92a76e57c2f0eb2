package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ccetl/ccetl/pipeline"
)

// TranscriptPath is the Transcript Export: a PUT that reads (doc error 42).
const TranscriptPath = "/api/rest/cas/speechtextview"

var (
	errEmptyTranscript = errors.New("the transcript answer is empty")
	errTranscriptJSON  = errors.New("the transcript answer is not JSON")
)

// transcriptBody is the request as the reference's curl sends it:
// isRootRecording is the string "false" or "true".
func transcriptBody(ccrid int64, root bool) []byte {
	return []byte(`{"ccrid":` + strconv.FormatInt(ccrid, 10) + `,"isRootRecording":"` + strconv.FormatBool(root) + `"}`)
}

// transcriptResult is what the Transcript Export answered for a contact.
type transcriptResult struct {
	skipped     bool // the contact has no recording
	unavailable bool // 404
	reject      error
	raw         []byte // what the reject shows: the request or the answer
	json        string // the transcript, compacted
}

// transcript asks for one contact's transcript. It only sends the
// request, so several contacts' transcripts are asked for at once;
// recordTranscript writes the outcome. An error stops the run.
func (s *contactSource) transcript(ctx context.Context, c contact) (transcriptResult, error) {
	var r transcriptResult
	if !c.hasRecording() {
		r.skipped = true
		return r, nil
	}
	body := transcriptBody(c.id, s.o.RootRecording)
	resp, err := s.k.do(ctx, http.MethodPut, TranscriptPath, nil, body, "application/json; charset=UTF-8", "*/*")
	if err != nil {
		switch {
		case notFound(err):
			r.unavailable = true
		case perContact(err):
			r.reject, r.raw = fmt.Errorf("ccrid %d: %w", c.id, err), body
		default:
			return r, fmt.Errorf("transcript of ccrid %d: %w", c.id, err)
		}
		return r, nil
	}
	raw := bytes.TrimSpace(resp.Body)
	switch {
	case len(raw) == 0:
		r.reject, r.raw = fmt.Errorf("ccrid %d: %w", c.id, errEmptyTranscript), body
		return r, nil
	case !json.Valid(raw):
		r.reject, r.raw = fmt.Errorf("ccrid %d: %w", c.id, errTranscriptJSON), raw
		return r, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	r.json, r.raw = buf.String(), raw
	return r, nil
}

// recordTranscript writes one contact's cal_transcript row, rejects it,
// or counts it as not available.
func (s *contactSource) recordTranscript(c contact, r transcriptResult, dayNo int32, in string) {
	bt := s.batcher(bTranscript)
	defer s.cut(bTranscript, in)
	switch {
	case r.skipped:
		s.transcriptsSkipped++
	case r.unavailable:
		s.unavailable(&s.transcriptsUnavailable, c.id)
	case r.reject != nil:
		bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: "PUT " + TranscriptPath, Record: -1, Err: r.reject}, Raw: string(r.raw)})
	default:
		b := bt.B
		b.SetInt(tCCRID, c.id)
		b.SetBool(tIsRoot, s.o.RootRecording)
		b.SetString(tTranscriptJSON, r.json)
		b.SetDate(tWindowDate, dayNo)
		bt.Commit(len(r.raw))
		s.transcripts++
	}
}
