package contactimport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"mime"
	"path"
	"regexp"
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
	conn   *calapi.Conn
	o      options
	files  func(string) (io.ReadCloser, error)
	remote map[string]pipeline.RemoteFiles
}

func (t *target) Close() error {
	if t.conn != nil {
		t.conn.Close()
	}
	return nil
}

// Extensions of the documented media types; the audio-only ones count
// toward "only a single audio file per contact".
var (
	mediaExt = map[string]bool{".wav": true, ".webm": true, ".webma": true, ".webmv": true, ".spx": true, ".wmv": true}
	audioExt = map[string]bool{".wav": true, ".webma": true, ".spx": true}
	personID = regexp.MustCompile(`^[0-9]+$`)
)

// internal cells ride in Change.Wire under these names, never in the CSV.
const (
	cellSum1 = "#recording1_sha256"
)

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
			if id := w.Get("CallId"); id != "" {
				return id
			}
			return w.Get("AgentId") + "|" + w.Get("ContactStartTimeMs") + "|" + w.Get(cellSum1)
		},
		Hash: func(w pipeline.Wire) string { // where a file is does not change the contact
			hashed := map[string]string{}
			for k, v := range w.All() {
				if !strings.HasSuffix(k, "_path") {
					hashed[k] = v
				}
			}
			return push.Hash(pipeline.WireMap(hashed))
		},
		Skip: func(_ pipeline.Wire, hash string, e pipeline.LedgerEntry) (string, bool) {
			switch {
			case e.Pending:
				return "was being sent when run " + e.RunID + " stopped: not sent again, to import no contact twice " +
					"(if the tenant lacks it, remove the job's ledger entries to send it)", true
			case e.Hash == hash:
				return "imported by run " + e.RunID, true
			}
			return "imported by run " + e.RunID + " with other values; the import cannot update a contact (it would import it again)", true
		},
	}
}

// wireOf writes a contact's CSV cells, its recordings' paths and sums.
func wireOf(v map[string]any) (pipeline.Wire, error) {
	w := make(map[string]string, len(v)+1)
	for _, f := range fields {
		x, ok := v[f.Name]
		if !ok || x == nil {
			continue
		}
		switch val := x.(type) {
		case string:
			if val = strings.TrimSpace(val); val == "" {
				continue
			}
			if f.Wire != "" {
				w[f.Wire] = val
			} else {
				w["#"+f.Name] = val
			}
		case int64:
			w[f.Wire] = strconv.FormatInt(val, 10)
		case time.Time:
			w[f.Wire] = strconv.FormatInt(val.UnixMilli(), 10)
		case map[string]string:
			for k, mv := range val {
				if len([]rune(k)) > 39 || len([]rune(mv)) > 2056 {
					return pipeline.Wire{}, fmt.Errorf("field metadata: %s over the documented lengths (name 39, value 2056)", k)
				}
				w["metadata."+k] = mv
			}
		}
	}
	if a := w["AgentId"]; a != "" && !personID.MatchString(a) && !strings.Contains(a, `\`) && !strings.Contains(a, "@") {
		return pipeline.Wire{}, fmt.Errorf("field agent_id: not a person id, an AD login (domain\\user) or an email")
	}
	if d := w["Direction"]; d != "" && d != "0" && d != "1" {
		return pipeline.Wire{}, fmt.Errorf("field direction: 0 (outbound) or 1 (inbound)")
	}
	audio := 0
	for _, k := range []string{"Recording1", "Recording2"} {
		n := w[k]
		if n == "" {
			continue
		}
		ext := strings.ToLower(path.Ext(n))
		if !mediaExt[ext] {
			return pipeline.Wire{}, fmt.Errorf("field %s: %s is not a documented media type (wav, webm, webma, webmv, spx, wmv)", strings.ToLower(k), ext)
		}
		if audioExt[ext] {
			audio++
		}
		if w["#"+strings.ToLower(k)+"_path"] == "" {
			return pipeline.Wire{}, fmt.Errorf("field %s_path: the recording's file is not given", strings.ToLower(k))
		}
	}
	if audio > 1 {
		return pipeline.Wire{}, fmt.Errorf("only a single audio file per contact is allowed")
	}
	return pipeline.WireMap(w), nil
}

// csvColumns are the CSV columns of a batch: the documented ones some
// contact has, then its metadata columns.
func csvColumns(batch []pipeline.Change) []string {
	var out []string
	for _, f := range fields {
		if f.Wire != "" && (f.Required || slices.ContainsFunc(batch, func(c pipeline.Change) bool { return c.Wire.Get(f.Wire) != "" })) {
			out = append(out, f.Wire)
		}
	}
	var meta []string
	for _, c := range batch {
		for k := range c.Wire.All() {
			if strings.HasPrefix(k, "metadata.") && !slices.Contains(meta, k) {
				meta = append(meta, k)
			}
		}
	}
	slices.Sort(meta)
	return append(out, meta...)
}

// Apply uploads the sends in batches bounded by contacts and bytes; a
// batch never holds two different recordings of one name.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	var batch []pipeline.Change
	files := map[string][]byte{}
	var size int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := t.upload(ctx, batch, files, j)
		batch, files, size = nil, map[string][]byte{}, 0
		return err
	}
	for _, c := range p.Changes {
		if !push.Writes(c) {
			continue
		}
		recs, err := t.recordings(c)
		if err != nil {
			return err
		}
		var n int64
		clash := false
		for name, data := range recs {
			n += int64(len(data))
			if prev, ok := files[name]; ok && !bytes.Equal(prev, data) {
				clash = true
			}
		}
		if len(batch) > 0 && (clash || len(batch) >= t.o.contacts || size+n > t.o.bytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		for name, data := range recs {
			files[name] = data
		}
		batch, size = append(batch, c), size+n
	}
	return flush()
}

// recordings reads a contact's recording files, by the names its CSV row
// gives them.
func (t *target) recordings(c pipeline.Change) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range []string{"Recording1", "Recording2"} {
		name := c.Wire.Get(k)
		if name == "" {
			continue
		}
		rc, err := t.files(c.Wire.Get("#" + strings.ToLower(k) + "_path"))
		if err != nil {
			return nil, fmt.Errorf("recording %s of contact %s (%s): %w", name, c.Key, c.Origin, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("recording %s of contact %s: %w", name, c.Key, err)
		}
		out[name] = data
	}
	return out, nil
}

func (t *target) upload(ctx context.Context, batch []pipeline.Change, files map[string][]byte, j pipeline.Journal) error {
	rows := make([]pipeline.Wire, len(batch))
	for i, c := range batch {
		rows[i] = c.Wire
	}
	data, err := push.CSV(csvColumns(batch), rows)
	if err != nil {
		return err
	}
	if t.o.drop != "" { // "CONTACT." in upper case, then any name
		return calpush.Drop(ctx, calpush.DropDir{Dir: t.o.drop, Remote: t.remote}, "CONTACT.ccetl-"+batch[0].Hash[:16]+".csv", data, files, "contacts", batch, j)
	}
	parts := []push.Part{{Field: "file", FileName: "contacts.csv", Type: "text/csv", Body: bytes.NewReader(data)}}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		parts = append(parts, push.Part{Field: "file", FileName: name, Type: mime.TypeByExtension(path.Ext(name)), Body: bytes.NewReader(files[name])})
	}
	return calpush.Send(ctx, calpush.Upload{Conn: t.conn, Path: UploadPath, Entity: "contacts", Batch: batch, Parts: parts,
		What: fmt.Sprintf("%d contacts, %d recordings", len(batch), len(files))}, j)
}

var _ pipeline.RecordPlanner = (*target)(nil)
