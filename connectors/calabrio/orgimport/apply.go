package orgimport

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/calpush"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// UploadPath is the Bulk Organization Import: /api/upload/<type>.
const UploadPath = "/api/upload/"

// Apply uploads the plan's groups, then teams, then persons in batches,
// and reads the export after each upload to tell what became of its rows.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	if t.state == nil {
		t.state = map[string]*orgState{}
	}
	for _, typ := range entityTypes {
		var mine []pipeline.Change
		for _, c := range p.Changes {
			if c.Entity == typ {
				mine = append(mine, c)
			}
		}
		size := func(c pipeline.Change) int64 {
			n := int64(c.Wire.Len())
			for _, v := range c.Wire.All() {
				n += int64(len(v))
			}
			return n
		}
		for _, batch := range push.Batches(mine, t.o.batchRows, int64(t.o.batchBytes), size) {
			if err := t.upload(ctx, typ, batch, j); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *target) upload(ctx context.Context, typ string, batch []pipeline.Change, j pipeline.Journal) error {
	rows := make([]pipeline.Wire, len(batch))
	for i, c := range batch {
		rows[i] = c.Wire
	}
	csvBody, err := push.CSV(t.columns(typ, batch), rows)
	if err != nil {
		return err
	}
	var st *orgState
	return calpush.Send(ctx, calpush.Upload{Conn: t.conn, Path: UploadPath + typ, Entity: typ, Batch: batch,
		Parts:      []push.Part{{Field: "file", FileName: typ + ".csv", Type: "text/csv", Body: bytes.NewReader(csvBody)}},
		Repeatable: true, What: fmt.Sprintf("%d rows", len(batch)),
		Accepted: func(ctx context.Context) (err error) {
			st, err = t.read(ctx, typ)
			t.state[typ] = st
			return err
		},
		Outcome: func(c pipeline.Change) pipeline.Outcome { return verify(typ, c, st) },
	}, j)
}

// verify tells what became of an uploaded row by the export read after
// the upload: created or updated when the tenant shows it as sent.
func verify(typ string, c pipeline.Change, st *orgState) pipeline.Outcome {
	o := pipeline.Outcome{Seq: c.Seq}
	var got *current
	if typ == "persons" {
		got, _ = st.findPerson(c.Wire.Map())
	} else {
		got = st.findName(c.Key)
	}
	if got == nil {
		o.Status, o.Code, o.Message = pipeline.StatusFailed, "not_imported", "the upload was accepted but the export does not show the row"
		return o
	}
	for k := range st.shown {
		if k == idKey(typ) || c.Wire.Get(k) == "" {
			continue
		}
		if got.wire[k] != c.Wire.Get(k) {
			o.Status, o.Code = pipeline.StatusFailed, "not_imported"
			o.Message = fmt.Sprintf("the upload was accepted but the export shows another %s", k)
			return o
		}
	}
	o.TargetID = strconv.Itoa(got.id)
	if c.Action == pipeline.ActionCreate {
		o.Status = pipeline.StatusCreated
	} else {
		o.Status = pipeline.StatusUpdated
	}
	return o
}
