package textcontact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

var (
	errRequired = errors.New("required value is empty")
	errTextType = errors.New("must be one of email, chat, twitter, facebook, website, other (any case)")
	errTxt      = errors.New("must name a .txt file (content files are TXT only)")
	errMissing  = errors.New("the referenced text file is not in the upload")
	utf8BOM     = []byte{0xEF, 0xBB, 0xBF}
)

// textTypes is the union of the three documented textType lists (doc
// error 44), as stored: lower case.
var textTypes = [][]byte{[]byte("email"), []byte("chat"), []byte("twitter"), []byte("facebook"), []byte("website"), []byte("other")}

// list is a decoded list value.
type list struct {
	v   []string
	set bool
}

// record is one decoded text contact, before its checks.
type record struct {
	textType, evalFormName, username, sender, subject, id, filename upload.Str
	evalFormID, time                                                upload.Num
	receiver, references                                            list
	metaKeys, metaVals                                              []string
	problem                                                         upload.Problem
}

func (r *record) reset() {
	keys, vals := r.metaKeys[:0], r.metaVals[:0]
	*r = record{metaKeys: keys, metaVals: vals}
}

// decoder checks records and stages them; one per contact data file.
type decoder struct {
	u       *upload.Upload
	id      []byte // the upload's ID
	source  []byte // the contact data file's name within the upload
	maxBody int64
	r       record
	body    bytes.Buffer
	hash    hash.Hash
	sum     []byte
}

func newDecoder(u *upload.Upload, f inputs.File, maxBody int64) *decoder {
	return &decoder{u: u, id: []byte(u.ID), source: []byte(upload.Name(f)), maxBody: maxBody, hash: sha256.New()}
}

// stage checks the record, reads its body and stages the row. It returns
// the body's size, which counts towards the batch bound.
func (d *decoder) stage(ctx context.Context, b *rowbuild.Builder) (int, error) {
	r := &d.r
	// The reference counts even for a row rejected below, so the report
	// can tell a file no row names from one only rejected rows name.
	var file *upload.Content
	if r.filename.Set {
		if f, ok := d.u.Lookup(r.filename.V); ok {
			file = f
			d.u.Ref(f)
		}
	}
	if r.problem.Err != nil {
		return 0, r.problem.Err
	}
	for _, s := range [...]struct {
		v    *upload.Str
		name string
	}{{&r.textType, "textType"}, {&r.filename, "filename"}, {&r.username, "username"}} {
		if !s.v.Set {
			return 0, tabular.Errf(colOf(s.v.Col, s.name), errRequired)
		}
	}
	if !r.time.Set {
		return 0, tabular.Errf(colOf(r.time.Col, "time"), errRequired)
	}
	textType := canonicalType(r.textType.V)
	if textType == nil {
		return 0, tabular.Errf(r.textType.Col, errTextType)
	}
	if !strings.EqualFold(path.Ext(string(r.filename.V)), ".txt") {
		return 0, tabular.Errf(r.filename.Col, errTxt)
	}
	if file == nil {
		return 0, tabular.Errf(r.filename.Col, errMissing)
	}
	body, size, err := d.read(file)
	if err != nil {
		return 0, err
	}
	b.SetBytes(cUploadID, d.id)
	b.SetBytes(cSourceFile, d.source)
	b.SetBytes(cTextType, textType)
	if r.evalFormID.Set {
		b.SetInt(cEvalFormID, r.evalFormID.V)
	}
	b.SetTimestamp(cTime, r.time.V)
	for _, s := range [...]struct {
		col int
		v   *upload.Str
	}{{cEvalFormName, &r.evalFormName}, {cUsername, &r.username}, {cSender, &r.sender},
		{cSubject, &r.subject}, {cID, &r.id}, {cFilename, &r.filename}} {
		if s.v.Set {
			b.SetBytes(s.col, s.v.V)
		}
	}
	if r.receiver.set {
		b.SetList(cReceiver, r.receiver.v)
	}
	if r.references.set {
		b.SetList(cReferences, r.references.v)
	}
	if len(r.metaKeys) > 0 {
		b.SetMap(cMetadata, r.metaKeys, r.metaVals)
	}
	b.SetBytes(cText, body)
	b.SetInt(cTextBytes, size)
	b.SetBytes(cTextSHA256, d.sum)
	return len(body), nil
}

func colOf(col, name string) string {
	if col == "" {
		return name
	}
	return col
}

func canonicalType(v []byte) []byte {
	for _, t := range textTypes {
		if bytes.EqualFold(v, t) {
			return t
		}
	}
	return nil
}

// read reads a text file's body: at most max_body_bytes, valid UTF-8, a
// leading byte order mark dropped. It returns the body, the file's size and
// (in d.sum) its sha256. A body that breaks a rule rejects the row; a read
// failure fails the run.
func (d *decoder) read(f *upload.Content) ([]byte, int64, error) {
	rc, err := f.File.Open()
	if err != nil {
		return nil, 0, upload.Fatal(fmt.Errorf("open %s: %w", f.File.Name, err))
	}
	defer rc.Close()
	d.body.Reset()
	d.hash.Reset()
	n, err := d.body.ReadFrom(io.TeeReader(io.LimitReader(rc, d.maxBody+1), d.hash))
	if err != nil {
		return nil, 0, upload.Fatal(fmt.Errorf("read %s: %w", f.File.Name, err))
	}
	col := d.r.filename.Col
	if n > d.maxBody {
		return nil, 0, tabular.Errf(col, fmt.Errorf("the text file is larger than max_body_bytes (%d bytes)", d.maxBody))
	}
	body := bytes.TrimPrefix(d.body.Bytes(), utf8BOM)
	if i := upload.InvalidUTF8(body); i >= 0 {
		line := 1 + bytes.Count(body[:i], []byte{'\n'})
		return nil, 0, tabular.Errf(col, fmt.Errorf("the text file is not valid UTF-8: line %d, byte %d", line, i-bytes.LastIndexByte(body[:i], '\n')))
	}
	d.sum = hex.AppendEncode(d.sum[:0], d.hash.Sum(nil))
	return body, n, nil
}
