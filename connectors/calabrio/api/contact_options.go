package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/pipeline"
)

// Defaults of the contact options.
const (
	DefaultMediaFormat   = "WAV"
	DefaultMediaWait     = 5 * time.Second
	DefaultMediaMaxWait  = 60 * time.Second
	DefaultMediaAttempts = 10
	// DefaultConcurrency: enough contacts in flight that their media
	// waits overlap and the rate limit, not the waits, bounds a pull. A
	// contact with media and a transcript makes about 4 requests and
	// waits media_wait or more between them: at 50 requests a second and
	// waits of 5s, about 60 contacts are waiting at any time.
	DefaultConcurrency = 64
)

// MediaFormats are the documented export formats: audio/video WEBM,
// WEBM_VP8, WEBM_VP9 and audio-only WAV, OPUS.
var MediaFormats = map[string]string{"WEBM": "webm", "WEBM_VP8": "webm", "WEBM_VP9": "webm", "WAV": "wav", "OPUS": "opus"}

// reservedQuery are the search parameters the kind sets itself.
var reservedQuery = []string{"beginDate", "endDate", "beginTime", "endTime", "expand", "exclude"}

var contactOptionDocs = withConnDocs(
	pipeline.Option{Name: "start", Doc: "first day to search, YYYY-MM-DD (GMT); without it the run resumes from the cursor less repull_days"},
	pipeline.Option{Name: "end", Doc: "day after the last day to search (exclusive); default: the day after the run's date"},
	pipeline.Option{Name: "repull_days", Default: strconv.Itoa(DefaultRepullDays), Doc: "days before the saved cursor searched again on a resumed run (evaluations and flags change after the call)"},
	pipeline.Option{Name: "query", Doc: "more search parameters in URL query form, e.g. type=quality&team=5&hasRecording=true " +
		"(lower-case agent; repeated parameters are ORed); beginDate, endDate, expand and exclude are set by the kind"},
	pipeline.Option{Name: "media", Default: "false", Doc: "true exports each contact's recording with the Single Contact Export and stores it next to the tables (cal_contact_media)"},
	pipeline.Option{Name: "media_format", Default: DefaultMediaFormat, Doc: "export format: WEBM, WEBM_VP8, WEBM_VP9 (audio and video), WAV or OPUS (audio only)"},
	pipeline.Option{Name: "media_wait", Default: DefaultMediaWait.String(), Doc: "wait after the export POST before the first GET (doubles after each \"does not exist or may have expired\" answer, up to media_max_wait)"},
	pipeline.Option{Name: "media_max_wait", Default: DefaultMediaMaxWait.String(), Doc: "longest wait between GETs of a media file"},
	pipeline.Option{Name: "media_attempts", Default: strconv.Itoa(DefaultMediaAttempts), Doc: "GETs of a media file before it is counted as not ready (media_not_ready in the report; the next run's repull asks again)"},
	pipeline.Option{Name: "transcripts", Default: "false", Doc: "true fetches the transcript of each contact with a recording with the Transcript Export (cal_transcript); " +
		"needs Administer Speech to Text Analytics. A transcript not available yet is counted (transcripts_unavailable), not rejected, " +
		"and asked for again while its day is within repull_days"},
	pipeline.Option{Name: "concurrency", Default: strconv.Itoa(DefaultConcurrency), Doc: "contacts whose media and transcript requests are in flight at once (1: one after another); rate_limit still spaces every request, and at most this many contacts' answers wait to be written in order"},
	pipeline.Option{Name: "transcript_root_recording", Default: "false", Doc: "isRootRecording sent with the Transcript Export (false for recordings associated with an agent)"},
)

// contactOptions are the parsed options of calabrio-contacts.
type contactOptions struct {
	conn          connOptions
	Start, End    time.Time
	RepullDays    int
	Query         url.Values
	Media         bool
	MediaFormat   string
	MediaWait     time.Duration
	MediaMaxWait  time.Duration
	MediaAttempts int
	Transcripts   bool
	RootRecording bool
	Concurrency   int
}

func parseContactOptions(m map[string]string) (contactOptions, error) {
	var p apiopt.Problems
	o := contactOptions{
		conn:          parseConn(m, &p),
		Start:         apiopt.Day(m, "start", &p),
		End:           apiopt.Day(m, "end", &p),
		RepullDays:    apiopt.Int(m, "repull_days", DefaultRepullDays, 0, maxDays, &p),
		Media:         apiopt.Bool(m, "media", &p),
		MediaFormat:   strings.ToUpper(def(m["media_format"], DefaultMediaFormat)),
		MediaWait:     apiopt.Duration(m, "media_wait", DefaultMediaWait, 0, time.Hour, &p),
		MediaMaxWait:  apiopt.Duration(m, "media_max_wait", DefaultMediaMaxWait, time.Millisecond, time.Hour, &p),
		MediaAttempts: apiopt.Int(m, "media_attempts", DefaultMediaAttempts, 1, 1000, &p),
		Transcripts:   apiopt.Bool(m, "transcripts", &p),
		RootRecording: apiopt.Bool(m, "transcript_root_recording", &p),
		Concurrency:   apiopt.Int(m, "concurrency", DefaultConcurrency, 1, 1024, &p),
	}
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		p.Add("end must be after start (end is exclusive)")
	}
	if _, ok := MediaFormats[o.MediaFormat]; !ok {
		p.Add("media_format must be WEBM, WEBM_VP8, WEBM_VP9, WAV or OPUS")
	}
	q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(m["query"]), "?"))
	if err != nil {
		p.Add("query: want URL query form such as type=quality&team=5")
	}
	for _, r := range reservedQuery {
		for k := range q {
			if strings.EqualFold(k, r) {
				p.Add("query: %s is set by the kind", r)
			}
		}
	}
	if _, ok := q["Agent"]; ok {
		p.Add("query: the parameter is agent, lower case (Agent returns every agent)")
	}
	o.Query = q
	return o, p.Err(ContactsKindName)
}
