package contact

import (
	"context"
	"errors"
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
	hAgentID = iota
	hStart
	hTimeZone
	hAssocCallID
	hCallID
	hCalled
	hCalling
	hLine
	hDirection
	hRecording1
	hRecording2
	hOffset
	hAudioLocation
	hAudioStart
	hScreenLocation
	hScreenStart
	nColumns
)

// columns are the documented CSV columns. The CSV example names the time
// zone column TimeZone while the field table says ClientTimeZone (doc error
// 16); the JSON names Called and Calling are accepted too (doc error 18).
var columns = [nColumns]tabular.Column{
	hAgentID:        {Name: "AgentId", Required: true},
	hStart:          {Name: "ContactStartTimeMs"},
	hTimeZone:       {Name: "ClientTimeZone", Aliases: []string{"TimeZone"}},
	hAssocCallID:    {Name: "AssocCallId"},
	hCallID:         {Name: "CallId"},
	hCalled:         {Name: "CalledAddress", Aliases: []string{"Called"}},
	hCalling:        {Name: "CallingAddress", Aliases: []string{"Calling"}},
	hLine:           {Name: "Line"},
	hDirection:      {Name: "Direction"},
	hRecording1:     {Name: "Recording1", Required: true},
	hRecording2:     {Name: "Recording2"},
	hOffset:         {Name: "Recording2Offset"},
	hAudioLocation:  {Name: "Audio.Location"},
	hAudioStart:     {Name: "Audio.StartTimeMs"},
	hScreenLocation: {Name: "Screen.Location"},
	hScreenStart:    {Name: "Screen.StartTimeMs"},
}

const metaPrefix = "metadata."

// csvLayout reads the rows of one CSV file.
type csvLayout struct {
	d     *decoder
	h     tabular.Header
	names [nColumns]string // each column's name as the file spells it
	meta  []metaColumn
	texts [nTexts]textColumn
	nums  [nNums]numColumn
}

// textColumn and numColumn tie a column to its value in the contact.
type textColumn struct {
	v   *text
	col string
	at  int // field index in the row, -1 when the file has no such column
}

type numColumn struct {
	v     *num
	col   string
	at    int
	parse func([]byte) (int64, error)
}

const (
	nTexts = 11
	nNums  = 5
)

type metaColumn struct {
	field int    // field index in the row
	name  string // custom field name
	col   string // column name, for rejects
}

// openCSV reads a CSV header. Columns that are neither documented nor
// metadata.<name> fail the file: they would be dropped without a trace.
func openCSV(u *upload.Upload, f inputs.File, header [][]byte) (upload.CSVRowFunc, error) {
	h, err := tabular.MatchHeader(header, columns[:])
	if err != nil {
		return nil, err
	}
	l := &csvLayout{d: newDecoder(u, f, true), h: h}
	for i, c := range columns {
		l.names[i] = c.Name
		if h.Index[i] >= 0 {
			l.names[i] = h.Names[h.Index[i]]
		}
	}
	c := &l.d.c
	for i, t := range [nTexts]struct {
		v *text
		h int
	}{{&c.agentID, hAgentID}, {&c.timeZone, hTimeZone}, {&c.assocCallID, hAssocCallID}, {&c.callID, hCallID},
		{&c.called, hCalled}, {&c.calling, hCalling}, {&c.line, hLine},
		{&c.rec[slotRecording1], hRecording1}, {&c.rec[slotRecording2], hRecording2},
		{&c.rec[slotAudio], hAudioLocation}, {&c.rec[slotScreen], hScreenLocation}} {
		l.texts[i] = textColumn{v: t.v, col: l.names[t.h], at: h.Index[t.h]}
	}
	for i, n := range [nNums]struct {
		v     *num
		h     int
		parse func([]byte) (int64, error)
	}{{&c.start, hStart, parse.EpochMillis}, {&c.direction, hDirection, parse.Int}, {&c.offset, hOffset, parse.Int},
		{&c.audioStart, hAudioStart, parse.EpochMillis}, {&c.screenStart, hScreenStart, parse.EpochMillis}} {
		l.nums[i] = numColumn{v: n.v, col: l.names[n.h], at: h.Index[n.h], parse: n.parse}
	}
	var unknown []string
	var errs []error
	for name, j := range h.Unknown {
		low := strings.ToLower(name)
		switch {
		case strings.HasPrefix(low, metaPrefix):
			l.meta = append(l.meta, metaColumn{field: j, name: name[len(metaPrefix):], col: name})
		case strings.HasPrefix(low, "metadata"):
			errs = append(errs, fmt.Errorf("column %q begins with \"metadata\" but not \"metadata.\": custom field columns are named metadata.<field name>", name))
		default:
			unknown = append(unknown, fmt.Sprintf("%q", name))
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		errs = append(errs, fmt.Errorf("unknown columns %s (bulk contact CSV columns are the documented fields and metadata.<field name>)", strings.Join(unknown, ", ")))
	}
	sort.Slice(l.meta, func(a, b int) bool { return l.meta[a].field < l.meta[b].field })
	seen := map[string]string{}
	for _, m := range l.meta {
		if m.name == "" || parse.MaxChars([]byte(m.name), maxMetaName) != nil {
			errs = append(errs, fmt.Errorf("column %q: a custom field name must have 1 to %d characters", m.col, maxMetaName))
		}
		if prev, ok := seen[strings.ToLower(m.name)]; ok {
			errs = append(errs, fmt.Errorf("columns %q and %q name the same custom field", prev, m.col))
		}
		seen[strings.ToLower(m.name)] = m.col
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return l.row, nil
}

func (l *csvLayout) row(ctx context.Context, f [][]byte, b *rowbuild.Builder) (int, error) {
	c := &l.d.c
	// Every text of the contact is set below and every number cleared, so
	// only the rest of the contact is reset.
	c.metaKeys, c.metaRaw, c.metaCols = c.metaKeys[:0], c.metaRaw[:0], c.metaCols[:0]
	c.problem = upload.Problem{}
	for i := range l.texts {
		t := &l.texts[i]
		var v []byte
		if t.at >= 0 && len(f[t.at]) > 0 {
			v = f[t.at]
		}
		t.v.V, t.v.Set = v, len(v) > 0
		if t.v.Col != t.col {
			t.v.Col = t.col
		}
	}
	for i := range l.nums {
		n := &l.nums[i]
		n.v.Set = false
		if n.at >= 0 {
			n.v.PutCSV(&c.problem, n.col, f[n.at], n.parse)
		}
	}
	for _, m := range l.meta {
		if v := f[m.field]; len(v) > 0 {
			c.metaKeys = append(c.metaKeys, m.name)
			c.metaRaw = append(c.metaRaw, v)
			c.metaCols = append(c.metaCols, m.col)
		}
	}
	return 0, l.d.stage(ctx, b)
}
