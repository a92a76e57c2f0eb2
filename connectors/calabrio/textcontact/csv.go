package textcontact

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
)

// CSV header columns.
const (
	hTextType = iota
	hFilename
	hEvalForm
	hTime
	hUsername
	hSender
	hReceiver
	hSubject
	hMetadata
	hReferences
	hID
	nColumns
)

var columns = [nColumns]tabular.Column{
	hTextType:   {Name: "textType", Required: true},
	hFilename:   {Name: "filename", Required: true},
	hEvalForm:   {Name: "evalForm"},
	hTime:       {Name: "time", Required: true},
	hUsername:   {Name: "username", Required: true},
	hSender:     {Name: "sender"},
	hReceiver:   {Name: "receiver"},
	hSubject:    {Name: "subject"},
	hMetadata:   {Name: "metadata"},
	hReferences: {Name: "references"},
	hID:         {Name: "id"},
}

// csvLayout reads the rows of one CSV file.
type csvLayout struct {
	d     *decoder
	h     tabular.Header
	names [nColumns]string // each column's name as the file spells it
}

// openCSV reads a CSV header. Unknown columns fail the file: their values
// would vanish without a trace.
func openCSV(u *upload.Upload, maxBody int64, f inputs.File, header [][]byte) (upload.CSVRowFunc, error) {
	h, err := tabular.MatchHeader(header, columns[:])
	if err != nil {
		return nil, err
	}
	if len(h.Unknown) > 0 {
		var unknown []string
		for name := range h.Unknown {
			unknown = append(unknown, fmt.Sprintf("%q", name))
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown columns %s (text import CSV columns: textType, filename, evalForm, time, username, sender, receiver, subject, metadata, references, id)",
			strings.Join(unknown, ", "))
	}
	l := &csvLayout{d: newDecoder(u, f, maxBody), h: h}
	for i, c := range columns {
		l.names[i] = c.Name
		if h.Index[i] >= 0 {
			l.names[i] = h.Names[h.Index[i]]
		}
	}
	return l.row, nil
}

func (l *csvLayout) row(ctx context.Context, f [][]byte, b *rowbuild.Builder) (int, error) {
	r := &l.d.r
	r.reset()
	field := func(i int) []byte { v, _ := l.h.Field(f, i); return v }
	for _, s := range [...]struct {
		v *upload.Str
		h int
	}{{&r.textType, hTextType}, {&r.filename, hFilename}, {&r.evalFormName, hEvalForm}, {&r.username, hUsername},
		{&r.sender, hSender}, {&r.subject, hSubject}, {&r.id, hID}} {
		s.v.Put(l.names[s.h], field(s.h))
	}
	r.time.PutCSV(&r.problem, l.names[hTime], field(hTime), parse.EpochMillis)
	if v := field(hReceiver); v != nil {
		r.receiver = list{v: upload.SplitPipes(v), set: true}
	}
	if v := field(hReferences); v != nil {
		r.references = list{v: upload.SplitPipes(v), set: true}
	}
	if v := field(hMetadata); v != nil {
		if err := r.csvMetadata(v); err != nil {
			r.problem.Fail(l.names[hMetadata], err)
		}
	}
	return l.d.stage(ctx, b)
}

// csvMetadata reads "name=value|name=value" (the encoding the reference
// shows only in its example, doc error 45). A value may hold "=", not "|".
func (r *record) csvMetadata(v []byte) error {
	for i, item := range upload.SplitPipes(v) {
		eq := strings.IndexByte(item, '=')
		if eq <= 0 {
			return fmt.Errorf("item %d is not name=value (want name=value|name=value)", i+1)
		}
		name := item[:eq]
		for _, k := range r.metaKeys {
			if k == name {
				return fmt.Errorf("item %d repeats an earlier name", i+1)
			}
		}
		r.metaKeys = append(r.metaKeys, name)
		r.metaVals = append(r.metaVals, item[eq+1:])
	}
	return nil
}
