package historicalimport

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/internal/calpush"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

type target struct {
	conn *calapi.Conn
	o    options
}

func (t *target) Close() error {
	t.conn.Close()
	return nil
}

// Plan makes a send of every valid interval not acknowledged before with
// the same content; one in flight when a run stopped is sent again (an
// interval sent again replaces itself).
func (t *target) Plan(_ context.Context, recs []pipeline.Record, led pipeline.Ledger) (*pipeline.Plan, error) {
	return t.planner().Plan(recs, led), nil
}

// PlanRecords plans each record as it is read (pipeline.RecordPlanner).
func (t *target) PlanRecords(led pipeline.Ledger) pipeline.RecordPlan {
	return t.planner().Stream(led)
}

func (t *target) planner() push.SendPlanner {
	return push.SendPlanner{Entity: Entity(), Wire: wireOf,
		Key: func(w pipeline.Wire) string {
			return w.At(cellService) + "|" + w.At(cellDate) + "|" + w.At(cellPeriod)
		},
		Skip: func(_ pipeline.Wire, hash string, e pipeline.LedgerEntry) (string, bool) {
			return "sent with the same values by run " + e.RunID, e.Hash == hash && !e.Pending
		},
	}
}

// layout is an interval's upload cells, one per field, in the fields'
// order.
var layout = func() *pipeline.WireLayout {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Wire
	}
	return pipeline.NewWireLayout(names...)
}()

// Cells of layout the target reads.
var (
	cellService = layout.Index("serviceNumber")
	cellDate    = layout.Index("date")
	cellPeriod  = layout.Index("period")
	cellLevels  = [...]int{layout.Index("serviceLevel"), layout.Index("occupancyRatio")}
)

// wireOf writes an interval's upload cells: ISO dates, zero-padded
// periods, numbers without exponents.
func wireOf(v map[string]any) (pipeline.Wire, error) {
	w := layout.New()
	for i, f := range fields {
		x, ok := v[f.Name]
		if !ok || x == nil {
			continue
		}
		switch val := x.(type) {
		case time.Time:
			w.SetAt(i, val.Format(time.DateOnly))
		case int64:
			w.SetAt(i, strconv.FormatInt(val, 10))
		case float64:
			w.SetAt(i, strconv.FormatFloat(val, 'f', -1, 64))
		case string:
			w.SetAt(i, val)
		}
	}
	if p, ok := w.Lookup("period"); ok {
		norm, ok := period(p)
		if !ok {
			return pipeline.Wire{}, fmt.Errorf("field period: not HH:MM (24-hour)")
		}
		w.SetAt(cellPeriod, norm)
	}
	for _, i := range cellLevels {
		if s := w.At(i); s != "" {
			if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 100 {
				return pipeline.Wire{}, fmt.Errorf("field %s: not an integer from 0 to 100", fields[i].Wire)
			}
		}
	}
	for i, f := range fields {
		if s := w.At(i); f.Type != pipeline.TypeString && f.Type != pipeline.TypeDate && len(s) > 0 && s[0] == '-' {
			return pipeline.Wire{}, fmt.Errorf("field %s: negative", f.Name)
		}
	}
	return w, nil
}

// Apply uploads the sends in batches: per day and at most batch_rows rows.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	// the sends by index and date, in date order when uploads go per day
	// (input is mostly in date order already: then nothing moves)
	type send struct {
		i    int
		date string
	}
	sends := make([]send, 0, len(p.Changes))
	for i, c := range p.Changes {
		if push.Writes(c) {
			sends = append(sends, send{i, c.Wire.Get("date")})
		}
	}
	byDate := func(a, b send) int { return strings.Compare(a.date, b.date) }
	if t.o.byDay && !slices.IsSortedFunc(sends, byDate) {
		slices.SortStableFunc(sends, byDate)
	}
	// Uploads replace what they send, so each is built and begun while
	// the one before is in flight.
	up := &calpush.Pipeline{J: j}
	lo := 0
	for i := range sends {
		if i+1 < len(sends) && i+1-lo < t.o.rows && (!t.o.byDay || sends[lo].date == sends[i+1].date) {
			continue
		}
		var batch []pipeline.Change
		if first, last := sends[lo].i, sends[i].i; last-first == i-lo {
			// indices rise within a batch (a stable sort, one date): equal
			// spans mean the plan's own changes, one after another
			batch = p.Changes[first : last+1 : last+1]
		} else {
			batch = make([]pipeline.Change, 0, i+1-lo)
			for _, s := range sends[lo : i+1] {
				batch = append(batch, p.Changes[s.i])
			}
		}
		if err := t.upload(ctx, batch, up); err != nil {
			return err
		}
		lo = i + 1
	}
	return up.Close(ctx)
}

// CutWindow ends a window of a streamed push where a day's sends end, or
// after whole uploads of batch_rows rows (uploading per rows, or within a
// day longer than that), so that windows of input in date order make no
// upload the whole plan would not.
func (t *target) CutWindow(changes []pipeline.Change) int {
	if t.o.byDay {
		last, found := "", false
		for i := len(changes) - 1; i >= 0; i-- {
			if !push.Writes(changes[i]) {
				continue
			}
			switch d := changes[i].Wire.At(cellDate); {
			case !found:
				last, found = d, true
			case d != last:
				return i + 1 // the last day's sends (and what is among them) wait
			}
		}
		if !found {
			return len(changes)
		}
		// one day: its uploads of batch_rows rows that are whole go
	}
	return push.CutWhole(changes, t.o.rows)
}

func (t *target) upload(ctx context.Context, batch []pipeline.Change, up *calpush.Pipeline) error {
	var header []string
	for _, f := range fields {
		if f.Required || slices.ContainsFunc(batch, func(c pipeline.Change) bool { return c.Wire.Get(f.Wire) != "" }) {
			header = append(header, f.Wire)
		}
	}
	rows := make([]pipeline.Wire, len(batch))
	for i, c := range batch {
		rows[i] = c.Wire
	}
	data, err := push.CSV(header, rows)
	if err != nil {
		return err
	}
	path, q, name := WHITPath, url.Values{"acdServerId": {t.o.acd}, "timeZone": {t.o.timeZone}}, "historical.csv"
	if t.o.endpoint == "gis" {
		path, q, name = GISPath, url.Values{"acdServerId": {t.o.acd}}, "service.csv"
	}
	return up.Send(ctx, calpush.Upload{Conn: t.conn, Path: path, Query: q, Entity: "intervals", Batch: batch,
		Parts:      []push.Part{{Field: "file", FileName: name, Type: "text/csv", Body: bytes.NewReader(data)}},
		Repeatable: true, What: fmt.Sprintf("%d rows, %s", len(batch), batch[0].Wire.Get("date"))})
}

// period reads H:MM or HH:MM (00:00 to 23:59) and writes HH:MM.
func period(p string) (string, bool) {
	h, m, ok := strings.Cut(p, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return "", false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' || hh > 23 || mm > 59 {
		return "", false
	}
	if len(h) == 2 {
		return p, true
	}
	return "0" + p, true
}

var _ pipeline.WindowCutter = (*target)(nil)
