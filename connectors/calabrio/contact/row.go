package contact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

// Documented maximum lengths, in characters.
const (
	maxAgentID     = 254
	maxAssocCallID = 52
	maxCallID      = 128
	maxAddress     = 64 // CalledAddress, CallingAddress, Line
	maxTimeZone    = 255
	maxFileName    = 128
	maxMetaName    = 39
	maxMetaValue   = 2056
)

// Recording slots of a contact.
const (
	slotRecording1 = iota
	slotRecording2
	slotAudio
	slotScreen
	nSlots
)

var (
	errRequired  = errors.New("required value is empty")
	errDirection = errors.New("must be 0 (outbound) or 1 (inbound)")
	errExtension = errors.New("the file name's extension is not a documented media type (wav, webm, webma, webmv, spx, wmv)")
	errMissing   = errors.New("the referenced recording is not in the upload (the import would fail this contact)")
	errTwoAudio  = errors.New("a second audio-only recording (wav, webma, spx): only a single audio file per contact is allowed")
	errMetaValue = fmt.Errorf("longer than %d characters", maxMetaValue)
)

// mediaExt lists the documented recording types and whether each is
// audio only. WEBM and WMV may hold audio and video, and WEBMV is video
// only, so only two audio-only files are sure to break the one-audio rule.
var mediaExt = map[string]bool{"wav": true, "webma": true, "spx": true, "webm": false, "webmv": false, "wmv": false}

// mediaType reports whether a recording file name's extension is a
// documented type and whether that type is audio only. The extension is
// path.Ext's, matched without regard to case.
func mediaType(name []byte) (audioOnly, ok bool) {
	dot := bytes.LastIndexByte(name, '.')
	if dot < 0 || bytes.IndexByte(name[dot:], '/') >= 0 {
		return false, false
	}
	ext := name[dot+1:]
	var low [len("webma")]byte
	for i, c := range ext {
		switch {
		case c >= utf8.RuneSelf:
			// Unicode case folding: the exact path.
			audioOnly, ok = mediaExt[strings.ToLower(strings.TrimPrefix(path.Ext(string(name)), "."))]
			return audioOnly, ok
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if i < len(low) {
			low[i] = c
		}
	}
	if len(ext) > len(low) {
		return false, false // longer than every documented extension
	}
	audioOnly, ok = mediaExt[string(low[:len(ext)])]
	return audioOnly, ok
}

// IsMedia reports whether a lower-case extension is a documented
// recording type.
func IsMedia(ext string) bool { _, ok := mediaExt[ext]; return ok }

type (
	text = upload.Str
	num  = upload.Num
)

// contact is one decoded row, before its checks.
type contact struct {
	agentID, timeZone, assocCallID, callID, called, calling, line text
	start, direction, offset, audioStart, screenStart             num
	rec                                                           [nSlots]text
	metaKeys                                                      []string
	metaVals                                                      []string // values of a JSON record
	metaRaw                                                       [][]byte // values of a CSV row, in the reader's buffer
	metaCols                                                      []string // column of each metadata value, for rejects
	problem                                                       upload.Problem
}

func (c *contact) reset() {
	keys, vals, raw, cols := c.metaKeys[:0], c.metaVals[:0], c.metaRaw[:0], c.metaCols[:0]
	*c = contact{metaKeys: keys, metaVals: vals, metaRaw: raw, metaCols: cols}
}

// decoder checks contacts and stages them; one per metadata file.
type decoder struct {
	u      *upload.Upload
	id     []byte // the upload's ID
	source []byte // the metadata file's name within the upload
	csv    bool
	c      contact
	keyBuf []byte
	stored []storedRef // by upload.Content.Index
}

// storedRef is a stored recording's reference as column values.
type storedRef struct {
	path, sha []byte
	bytes     int64
	ok        bool
}

func newDecoder(u *upload.Upload, f inputs.File, csv bool) *decoder {
	return &decoder{u: u, id: []byte(u.ID), source: []byte(upload.Name(f)), csv: csv, stored: make([]storedRef, len(u.Contents()))}
}

// stage checks c and stages it into b, copying its recordings.
func (d *decoder) stage(ctx context.Context, b *rowbuild.Builder) error {
	c := &d.c
	// References count even for a row rejected below, so the report can
	// tell a recording no row names from one only rejected rows name.
	var found [nSlots]*upload.Content
	for i := range c.rec {
		if c.rec[i].Set {
			if f, ok := d.u.Lookup(c.rec[i].V); ok {
				found[i] = f
				d.u.Ref(f)
			}
		}
	}
	if c.problem.Err != nil {
		return c.problem.Err
	}
	if d.csv && !c.agentID.Set {
		return tabular.Errf(c.agentID.Col, errRequired)
	}
	if d.csv && !c.rec[slotRecording1].Set {
		return tabular.Errf(c.rec[slotRecording1].Col, errRequired)
	}
	for _, t := range [...]struct {
		v   *text
		max int
	}{{&c.agentID, maxAgentID}, {&c.timeZone, maxTimeZone}, {&c.assocCallID, maxAssocCallID},
		{&c.callID, maxCallID}, {&c.called, maxAddress}, {&c.calling, maxAddress}, {&c.line, maxAddress}} {
		if t.v.Set {
			if err := parse.MaxChars(t.v.V, t.max); err != nil {
				return tabular.Errf(t.v.Col, err)
			}
		}
	}
	if c.direction.Set && c.direction.V != 0 && c.direction.V != 1 {
		return tabular.Errf(c.direction.Col, errDirection)
	}
	if err := c.checkRecordings(found); err != nil {
		return err
	}
	for i, v := range c.metaVals {
		if len(v) > maxMetaValue && utf8.RuneCountInString(v) > maxMetaValue {
			return tabular.Errf(c.metaCols[i], errMetaValue)
		}
	}
	for i, v := range c.metaRaw {
		if len(v) > maxMetaValue && utf8.RuneCount(v) > maxMetaValue {
			return tabular.Errf(c.metaCols[i], errMetaValue)
		}
	}
	var refs [nSlots]storedRef
	for i, f := range found {
		if f == nil {
			continue
		}
		ref := &d.stored[f.Index()]
		if !ref.ok {
			fr, err := d.u.Store(ctx, f)
			if err != nil {
				return upload.Fatal(err)
			}
			*ref = storedRef{path: []byte(fr.Path), sha: []byte(fr.SHA256), bytes: fr.Bytes, ok: true}
		}
		refs[i] = *ref
	}
	d.put(b, refs)
	return nil
}

// checkRecordings applies the file-name rules to the recording slots.
func (c *contact) checkRecordings(found [nSlots]*upload.Content) error {
	audio := 0
	for i := range c.rec {
		r := &c.rec[i]
		if !r.Set {
			continue
		}
		if err := parse.MaxChars(r.V, maxFileName); err != nil {
			return tabular.Errf(r.Col, err)
		}
		audioOnly, ok := mediaType(r.V)
		if !ok {
			return tabular.Errf(r.Col, errExtension)
		}
		for j := range i {
			if c.rec[j].Set && bytes.Equal(c.rec[j].V, r.V) {
				return tabular.Errf(r.Col, fmt.Errorf("names the same file as %s", c.rec[j].Col))
			}
		}
		if audioOnly {
			if audio++; audio > 1 {
				return tabular.Errf(r.Col, errTwoAudio)
			}
		}
		if found[i] == nil {
			return tabular.Errf(r.Col, errMissing)
		}
	}
	return nil
}

// put stages the checked contact.
func (d *decoder) put(b *rowbuild.Builder, refs [nSlots]storedRef) {
	c := &d.c
	b.SetBytes(cUploadID, d.id)
	b.SetBytes(cSourceFile, d.source)
	b.SetBytes(cContactKey, d.key())
	for _, t := range [...]struct {
		col int
		v   *text
	}{{cAgentID, &c.agentID}, {cClientTimeZone, &c.timeZone}, {cAssocCallID, &c.assocCallID},
		{cCallID, &c.callID}, {cCalledAddress, &c.called}, {cCallingAddress, &c.calling}, {cLine, &c.line}} {
		if t.v.Set {
			b.SetBytes(t.col, t.v.V)
		}
	}
	if c.agentID.Set {
		b.SetBytes(cAgentIDFormat, agentIDFormat(c.agentID.V))
	}
	for _, n := range [...]struct {
		col int
		v   *num
	}{{cContactStart, &c.start}, {cAudioStart, &c.audioStart}, {cScreenStart, &c.screenStart}} {
		if n.v.Set {
			b.SetTimestamp(n.col, n.v.V)
		}
	}
	if c.direction.Set {
		b.SetInt(cDirection, c.direction.V)
	}
	if c.offset.Set {
		b.SetInt(cRecording2Offset, c.offset.V)
	}
	for i := range c.rec {
		if !c.rec[i].Set {
			continue
		}
		col := slotCol[i]
		b.SetBytes(col, c.rec[i].V)
		b.SetBytes(col+1, refs[i].path)
		b.SetInt(col+2, refs[i].bytes)
		b.SetBytes(col+3, refs[i].sha)
	}
	switch {
	case len(c.metaRaw) > 0:
		b.SetMapBytes(cMetadata, c.metaKeys, c.metaRaw)
	case len(c.metaKeys) > 0:
		b.SetMap(cMetadata, c.metaKeys, c.metaVals)
	}
}

// key is the contact's key: its CallId, or a hash of AgentId and
// ContactStartTimeMs (SPEC section 9) when it has none.
func (d *decoder) key() []byte {
	c := &d.c
	if c.callID.Set {
		return c.callID.V
	}
	h := sha256.New()
	h.Write(c.agentID.V)
	h.Write([]byte{0})
	if c.start.Set {
		h.Write(strconv.AppendInt(d.keyBuf[:0], c.start.V, 10))
	}
	d.keyBuf = append(d.keyBuf[:0], "h:"...)
	d.keyBuf = hex.AppendEncode(d.keyBuf, h.Sum(nil)[:16])
	return d.keyBuf
}

var (
	fmtADLogin  = []byte("ad_login")
	fmtEmail    = []byte("email")
	fmtPersonID = []byte("person_id")
)

// agentIDFormat says how Calabrio reads an AgentId: an AD login holds "\",
// an email "@", anything else is a person ID.
func agentIDFormat(v []byte) []byte {
	switch {
	case bytes.IndexByte(v, '\\') >= 0:
		return fmtADLogin
	case bytes.IndexByte(v, '@') >= 0:
		return fmtEmail
	}
	return fmtPersonID
}
