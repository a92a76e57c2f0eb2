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

// transcript fetches one contact's transcript (its id is the call
// completion record id) and writes its cal_transcript row, or rejects it.
//
// Only a contact with a recording has a transcript: the others are not
// asked for (transcripts_skipped_no_recording). A transcript the tenant
// does not have (404: not transcribed yet, or never) is not a reject but a
// count in the report (transcripts_unavailable); the trailing window's
// repull asks for it again. Rejects are answers ccetl cannot decode.
func (s *contactSource) transcript(ctx context.Context, c contact, dayNo int32, in string) error {
	if !c.hasRecording() {
		s.transcriptsSkipped++
		return nil
	}
	bt := s.batcher(bTranscript)
	defer s.cut(bTranscript, in)
	body := transcriptBody(c.id, s.o.RootRecording)
	src := "PUT " + TranscriptPath
	reject := func(err error, raw []byte) {
		bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: src, Record: -1, Column: "", Err: err}, Raw: string(raw)})
	}
	resp, err := s.k.do(ctx, http.MethodPut, TranscriptPath, nil, body, "application/json; charset=UTF-8", "*/*")
	if err != nil {
		if notFound(err) {
			s.unavailable(&s.transcriptsUnavailable, c.id)
			return nil
		}
		if perContact(err) {
			reject(fmt.Errorf("ccrid %d: %w", c.id, err), body)
			return nil
		}
		return fmt.Errorf("transcript of ccrid %d: %w", c.id, err)
	}
	raw := bytes.TrimSpace(resp.Body)
	switch {
	case len(raw) == 0:
		reject(fmt.Errorf("ccrid %d: %w", c.id, errEmptyTranscript), body)
		return nil
	case !json.Valid(raw):
		reject(fmt.Errorf("ccrid %d: %w", c.id, errTranscriptJSON), raw)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	b := bt.B
	b.SetInt(tCCRID, c.id)
	b.SetBool(tIsRoot, s.o.RootRecording)
	b.SetString(tTranscriptJSON, buf.String())
	b.SetDate(tWindowDate, dayNo)
	bt.Commit(len(raw))
	s.transcripts++
	return nil
}
