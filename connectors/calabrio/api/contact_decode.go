package api

import (
	"encoding/json"
	"errors"
	"sort"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

// contact is what the media and transcript steps need of a decoded contact.
type contact struct {
	id           int64
	audio, video *bool // audioUploaded, screenUploaded; nil when absent
}

// hasRecording reports whether the contact may have media and a
// transcript: not when the tenant says neither audio nor screen was
// uploaded (when it does not say, the contact is asked for).
func (c contact) hasRecording() bool {
	return !(c.audio != nil && c.video != nil && !*c.audio && !*c.video)
}

// metaPair is one metadata key and value of a contact.
type metaPair struct {
	key   string
	value string
	has   bool
}

// fieldSetter stages one top-level field of a contact.
type fieldSetter func(b *rowbuild.Builder, raw json.RawMessage, c *contact) error

func textCol(col int) fieldSetter {
	return func(b *rowbuild.Builder, raw json.RawMessage, _ *contact) error {
		s, ok, err := jText(raw)
		if ok {
			b.SetString(col, s)
		}
		return err
	}
}

func intCol(col int) fieldSetter {
	return func(b *rowbuild.Builder, raw json.RawMessage, _ *contact) error {
		n, ok, err := jInt(raw)
		if ok {
			b.SetInt(col, n)
		}
		return err
	}
}

func boolCol(col int, keep func(c *contact, v *bool)) fieldSetter {
	return func(b *rowbuild.Builder, raw json.RawMessage, c *contact) error {
		v, ok, err := jBool(raw)
		if ok {
			b.SetBool(col, v)
			if keep != nil {
				keep(c, &v)
			}
		}
		return err
	}
}

// nested maps the fields of a nested object to columns.
type nested map[string]fieldSetter

var contactFields = map[string]fieldSetter{
	"startTime": func(b *rowbuild.Builder, raw json.RawMessage, _ *contact) error {
		n, ok, err := jInt(raw)
		if ok {
			b.SetTimestamp(cStartTime, n)
		}
		return err
	},
	"tz":             textCol(cTZ),
	"callDuration":   intCol(cCallDuration),
	"ani":            textCol(cANI),
	"dnis":           textCol(cDNIS),
	"icmCallId":      textCol(cICMCallID),
	"assocCallId":    textCol(cAssocCallID),
	"hr":             boolCol(cHR, nil),
	"training":       boolCol(cTraining, nil),
	"audioUploaded":  boolCol(cAudioUploaded, func(c *contact, v *bool) { c.audio = v }),
	"screenUploaded": boolCol(cScreenUploaded, func(c *contact, v *bool) { c.video = v }),
	"recordingUrl":   textCol(cRecordingURL),
}

var nestedFields = map[string]nested{
	"evalForm": {"name": textCol(cEvalFormName), "$ref": textCol(cEvalFormRef)},
	"team":     {"name": textCol(cTeamName), "$ref": textCol(cTeamRef), "displayId": textCol(cTeamDisplayID)},
	"group":    {"name": textCol(cGroupName), "$ref": textCol(cGroupRef)},
	"agent": {"username": textCol(cAgentUsername), "firstName": textCol(cAgentFirstName), "lastName": textCol(cAgentLastName),
		"displayId": textCol(cAgentDisplayID), "$ref": textCol(cAgentRef)},
	"evaluator": {"username": textCol(cEvaluatorUsername), "firstName": textCol(cEvaluatorFirstName),
		"lastName": textCol(cEvaluatorLastName), "displayId": textCol(cEvaluatorDisplayID), "$ref": textCol(cEvaluatorRef)},
	"evaluation": {"stateId": intCol(cEvaluationStateID), "$ref": textCol(cEvaluationRef),
		"score": func(b *rowbuild.Builder, raw json.RawMessage, _ *contact) error {
			f, ok, err := jFloat(raw)
			if ok {
				b.SetFloat(cEvaluationScore, f)
			}
			return err
		}},
	"qualityReason": {"text": textCol(cQualityReasonText), "reasonId": intCol(cQualityReasonID), "key": textCol(cQualityReasonKey)},
	"archiveWF":     {"$ref": textCol(cArchiveWFRef)},
	"qualityWF":     {"$ref": textCol(cQualityWFRef)},
}

var errNoID = errors.New("missing id (the contact's key)")

// contactError is a bad field of a contact.
type contactError struct {
	field string
	err   error
}

func (e *contactError) Error() string { return e.field + ": " + e.err.Error() }
func (e *contactError) Unwrap() error { return e.err }

// stageContact stages one contact of a search answer into b (cal_contact)
// and returns its id and metadata. It stages nothing it cannot stage whole:
// on an error the caller discards the row.
func stageContact(b *rowbuild.Builder, raw json.RawMessage, windowDay int32, meta []metaPair) (contact, []metaPair, error) {
	var c contact
	obj, ok, err := jObject(raw)
	if err != nil || !ok {
		return c, meta, &contactError{field: "", err: errNotObject}
	}
	id, ok, err := jInt(obj["id"])
	if err != nil {
		return c, meta, &contactError{field: "id", err: err}
	}
	if !ok {
		return c, meta, &contactError{field: "id", err: errNoID}
	}
	c.id = id
	b.SetInt(cID, id)
	b.SetDate(cWindowDate, windowDay)
	extra := map[string]json.RawMessage{}
	for k, v := range obj {
		if k == "id" {
			continue
		}
		if set, ok := contactFields[k]; ok {
			if err := set(b, v, &c); err != nil {
				return c, meta, &contactError{field: k, err: err}
			}
			continue
		}
		if k == "metadata" {
			if meta, err = stageMetadata(b, v, meta); err != nil {
				return c, meta, &contactError{field: k, err: err}
			}
			continue
		}
		sub, ok := nestedFields[k]
		if !ok {
			extra[k] = v
			continue
		}
		o, _, err := jObject(v) // null: no fields
		if err != nil {
			return c, meta, &contactError{field: k, err: err}
		}
		for sk, sv := range o {
			set, known := sub[sk]
			if !known {
				extra[k+"."+sk] = sv
				continue
			}
			if err := set(b, sv, &c); err != nil {
				return c, meta, &contactError{field: k + "." + sk, err: err}
			}
		}
	}
	if len(extra) > 0 {
		b.SetString(cExtraJSON, sortedJSON(extra))
	}
	return c, meta, nil
}

// stageMetadata reads a contact's metadata: {"$ref": ...} when it was not
// expanded, else (the expanded shape is not shown in the reference) an
// object of key -> value, or an array of {key|name, value} objects.
func stageMetadata(b *rowbuild.Builder, raw json.RawMessage, meta []metaPair) ([]metaPair, error) {
	if isNull(raw) {
		return meta, nil
	}
	if obj, ok, err := jObject(raw); err == nil && ok {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "$ref" {
				s, ok, err := jText(obj[k])
				if err != nil {
					return meta, err
				}
				if ok {
					b.SetString(cMetadataRef, s)
				}
				continue
			}
			v, has := valueText(obj[k])
			meta = append(meta, metaPair{key: k, value: v, has: has})
		}
		return meta, nil
	}
	var arr []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return meta, errors.New("neither an object nor an array of key/value objects")
	}
	for _, e := range arr {
		k, _, _ := jText(e["key"])
		if k == "" {
			k, _, _ = jText(e["name"])
		}
		v, has := valueText(e["value"])
		meta = append(meta, metaPair{key: k, value: v, has: has})
	}
	return meta, nil
}

// sortedJSON renders fields as a JSON object with sorted keys.
func sortedJSON(m map[string]json.RawMessage) string {
	out, err := json.Marshal(m) // encoding/json sorts map keys
	if err != nil {
		return "{}"
	}
	return string(out)
}
