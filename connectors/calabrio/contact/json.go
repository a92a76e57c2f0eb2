package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

// JSON fields. Keys match case-insensitively (the reference's OCR spells
// CallId "Callid"); aliases share a field.
const (
	kAgentID = iota
	kAssocCallID
	kCallID
	kCalled
	kCalling
	kTimeZone
	kStart
	kDirection
	kLine
	kAudio
	kScreen
	kMetadata
	nKeys
)

// jsonKeys maps folded keys to fields. The field table names Called and
// Calling for JSON but the JSON example uses CalledAddress and
// CallingAddress (doc error 18); TimeZone is the CSV example's name of
// ClientTimeZone (doc error 16).
var jsonKeys = map[string]int{
	"agentid": kAgentID, "assoccallid": kAssocCallID, "callid": kCallID,
	"called": kCalled, "calledaddress": kCalled, "calling": kCalling, "callingaddress": kCalling,
	"clienttimezone": kTimeZone, "timezone": kTimeZone, "contactstarttimems": kStart,
	"direction": kDirection, "line": kLine, "audio": kAudio, "screen": kScreen, "custommetadata": kMetadata,
}

var (
	errUnknownKey = errors.New("unknown key")
	errTwice      = errors.New("the field is given more than once (keys match case-insensitively; Called/CalledAddress, Calling/CallingAddress and ClientTimeZone/TimeZone are one field)")
	errTwoAudioEl = errors.New("more than one Audio entry: only a single audio file per contact is allowed")
	errTwoScreen  = errors.New("more than one Screen entry: a contact has one screen recording")
)

// jsonDecoder reads the records of one JSON file.
type jsonDecoder struct {
	d    *decoder
	seen [nKeys]bool
}

func openJSON(u *upload.Upload, f inputs.File) upload.RowFunc {
	j := &jsonDecoder{d: newDecoder(u, f, false)}
	return j.row
}

func (j *jsonDecoder) row(ctx context.Context, raw []byte, b *rowbuild.Builder) (int, error) {
	j.d.c.reset()
	j.seen = [nKeys]bool{}
	if err := upload.Object(raw, j.member); err != nil {
		return 0, err
	}
	return 0, j.d.stage(ctx, b)
}

// member decodes one key of a record. Problems are kept in the contact
// (the first one rejects the row) so the rest of the record is still read.
func (j *jsonDecoder) member(key string, v []byte) error {
	c := &j.d.c
	col := key
	if len(col) > 64 {
		col = col[:64] + "..."
	}
	k, ok := jsonKeys[strings.ToLower(key)]
	switch {
	case !ok:
		c.problem.Fail(col, errUnknownKey)
		return nil
	case j.seen[k]:
		c.problem.Fail(col, errTwice)
		return nil
	}
	j.seen[k] = true
	switch k {
	case kAgentID:
		c.agentID.PutJSON(&c.problem, key, v, true)
	case kAssocCallID:
		c.assocCallID.PutJSON(&c.problem, key, v, true)
	case kCallID:
		c.callID.PutJSON(&c.problem, key, v, true)
	case kCalled:
		c.called.PutJSON(&c.problem, key, v, true)
	case kCalling:
		c.calling.PutJSON(&c.problem, key, v, true)
	case kTimeZone:
		c.timeZone.PutJSON(&c.problem, key, v, true)
	case kLine:
		c.line.PutJSON(&c.problem, key, v, true)
	case kStart:
		c.start.PutJSON(&c.problem, key, v, upload.Millis)
	case kDirection:
		c.direction.PutJSON(&c.problem, key, v, upload.Int)
	case kAudio:
		j.media(slotAudio, &c.audioStart, key, v, errTwoAudioEl)
	case kScreen:
		j.media(slotScreen, &c.screenStart, key, v, errTwoScreen)
	case kMetadata:
		j.metadata(key, v)
	}
	return nil
}

// media reads Audio or Screen: documented as an array of {Location,
// StartTimeMs}; a lone object is taken as an array of one.
func (j *jsonDecoder) media(slot int, start *num, key string, v []byte, errMany error) {
	c := &j.d.c
	n, _, err := upload.Elements(v, func(i int, el []byte) error {
		if i > 0 {
			return nil
		}
		return upload.Object(el, func(k string, ev []byte) error {
			col := key + "." + k
			switch strings.ToLower(k) {
			case "location":
				c.rec[slot].PutJSON(&c.problem, col, ev, false)
			case "starttimems":
				start.PutJSON(&c.problem, col, ev, upload.Millis)
			default:
				return tabular.Errf(key, fmt.Errorf("unknown key in an entry (want Location, StartTimeMs)"))
			}
			return nil
		})
	})
	var fe *tabular.FieldError
	switch {
	case errors.As(err, &fe):
		c.problem.Fail(fe.Column, fe.Err)
	case err != nil:
		c.problem.Fail(key, err)
	case n > 1:
		c.problem.Fail(key, errMany)
	}
}

// metadata reads CustomMetadata, an object of name/value strings.
func (j *jsonDecoder) metadata(key string, v []byte) {
	c := &j.d.c
	keys, vals, _, err := upload.Map(v)
	if err != nil {
		c.problem.Fail(key, err)
		return
	}
	for i, k := range keys {
		if k == "" || parse.MaxChars([]byte(k), maxMetaName) != nil {
			c.problem.Fail(key, fmt.Errorf("field name %d must have 1 to %d characters", i+1, maxMetaName))
			return
		}
		c.metaKeys = append(c.metaKeys, k)
		c.metaVals = append(c.metaVals, vals[i])
		c.metaCols = append(c.metaCols, key+"."+k)
	}
}
