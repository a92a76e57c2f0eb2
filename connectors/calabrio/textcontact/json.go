package textcontact

import (
	"context"
	"errors"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

// JSON keys, matched case-insensitively.
const (
	kTextType = iota
	kFilename
	kEvalForm
	kTime
	kUsername
	kSender
	kReceiver
	kSubject
	kMetadata
	kReferences
	kID
	nKeys
)

var jsonKeys = map[string]int{
	"texttype": kTextType, "filename": kFilename, "evalform": kEvalForm, "time": kTime, "username": kUsername,
	"sender": kSender, "receiver": kReceiver, "subject": kSubject, "metadata": kMetadata,
	"references": kReferences, "id": kID,
}

var (
	errUnknownKey = errors.New("unknown key")
	errTwice      = errors.New("the key is given more than once (keys match case-insensitively)")
	errRecords    = errors.New("this is the single-request /api/rest/cas/importtext shape ({textType, evalForm, records}); " +
		"an upload's JSON holds one object per contact, naming its TXT file in filename")
	errInlineText = errors.New("inline text belongs to the single-request API; an upload's contacts name a TXT file in filename")
	errEvalForm   = errors.New("want a form name, or an object with id and/or name")
)

// jsonDecoder reads the records of one JSON file.
type jsonDecoder struct {
	d    *decoder
	seen [nKeys]bool
}

func openJSON(u *upload.Upload, maxBody int64, f inputs.File) upload.RowFunc {
	return (&jsonDecoder{d: newDecoder(u, f, maxBody)}).row
}

func (j *jsonDecoder) row(ctx context.Context, raw []byte, b *rowbuild.Builder) (int, error) {
	j.d.r.reset()
	j.seen = [nKeys]bool{}
	if err := upload.Object(raw, j.member); err != nil {
		return 0, err
	}
	return j.d.stage(ctx, b)
}

// member decodes one key; problems are kept in the record, so the rest is
// still read.
func (j *jsonDecoder) member(key string, v []byte) error {
	r := &j.d.r
	col := key
	if len(col) > 64 {
		col = col[:64] + "..."
	}
	low := strings.ToLower(key)
	k, ok := jsonKeys[low]
	switch {
	case low == "records":
		r.problem.Fail(col, errRecords)
		return nil
	case low == "text":
		r.problem.Fail(col, errInlineText)
		return nil
	case !ok:
		r.problem.Fail(col, errUnknownKey)
		return nil
	case j.seen[k]:
		r.problem.Fail(col, errTwice)
		return nil
	}
	j.seen[k] = true
	switch k {
	case kTextType:
		r.textType.PutJSON(&r.problem, key, v, false)
	case kFilename:
		r.filename.PutJSON(&r.problem, key, v, false)
	case kUsername:
		r.username.PutJSON(&r.problem, key, v, false)
	case kSender:
		r.sender.PutJSON(&r.problem, key, v, false)
	case kSubject:
		r.subject.PutJSON(&r.problem, key, v, false)
	case kID:
		r.id.PutJSON(&r.problem, key, v, true)
	case kTime:
		r.time.PutJSON(&r.problem, key, v, upload.Millis)
	case kReceiver:
		r.receiver = j.list(key, v)
	case kReferences:
		r.references = j.list(key, v)
	case kMetadata:
		keys, vals, _, err := upload.Map(v)
		if err != nil {
			r.problem.Fail(key, err)
		}
		r.metaKeys, r.metaVals = append(r.metaKeys, keys...), append(r.metaVals, vals...)
	case kEvalForm:
		j.evalForm(key, v)
	}
	return nil
}

// list reads an array of strings, or one pipe-delimited string.
func (j *jsonDecoder) list(key string, v []byte) list {
	items, ok, err := upload.List(v)
	if err != nil {
		j.d.r.problem.Fail(key, err)
	}
	return list{v: items, set: ok}
}

// evalForm reads a form name, or {"id": 5, "name": "..."} ("Upload will
// work with only name or only id").
func (j *jsonDecoder) evalForm(key string, v []byte) {
	r := &j.d.r
	if s, ok, err := upload.Text(v, false); err == nil {
		if ok {
			r.evalFormName.Put(key, []byte(s))
		}
		return
	}
	err := upload.Object(v, func(k string, ev []byte) error {
		switch strings.ToLower(k) {
		case "id":
			r.evalFormID.PutJSON(&r.problem, key+"."+k, ev, upload.Int)
		case "name":
			r.evalFormName.PutJSON(&r.problem, key+"."+k, ev, false)
		default:
			r.problem.Fail(key, errEvalForm)
		}
		return nil
	})
	if err != nil || !r.evalFormID.Set && !r.evalFormName.Set {
		r.problem.Fail(key, errEvalForm)
	}
}
