package textimport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/internal/calpush"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name.
const KindName = "calabrio-text-import"

// UploadPath is the Generic Text Import with Multiple Files.
const UploadPath = "/api/upload/textcontacts/"

// DefaultBatchContacts bounds an upload.
const DefaultBatchContacts = 500

type field = push.WireField

var fields = []field{
	{Field: pipeline.Field{Name: "text_type", Type: pipeline.TypeString, Required: true, Enum: []string{"chat", "email", "facebook", "other", "website"}, Doc: "textType"}, Wire: "textType"},
	{Field: pipeline.Field{Name: "filename", Type: pipeline.TypeString, Required: true, Doc: "filename: the TXT file of the body"}, Wire: "filename"},
	{Field: pipeline.Field{Name: "eval_form_name", Type: pipeline.TypeString, Doc: "evalForm, by name"}, Wire: "evalForm"},
	{Field: pipeline.Field{Name: "time", Type: pipeline.TypeTimestamp, Required: true, Doc: "time, sent as epoch ms"}, Wire: "time"},
	{Field: pipeline.Field{Name: "username", Type: pipeline.TypeString, Required: true, Doc: "username: the agent's login"}, Wire: "username"},
	{Field: pipeline.Field{Name: "sender", Type: pipeline.TypeString, Doc: "sender"}, Wire: "sender"},
	{Field: pipeline.Field{Name: "receiver", Type: pipeline.TypeList, Doc: "receiver, pipe-delimited"}, Wire: "receiver"},
	{Field: pipeline.Field{Name: "subject", Type: pipeline.TypeString, Doc: "subject"}, Wire: "subject"},
	{Field: pipeline.Field{Name: "metadata", Type: pipeline.TypeMap, Doc: "metadata, name=value pairs joined by pipes"}, Wire: "metadata"},
	{Field: pipeline.Field{Name: "references", Type: pipeline.TypeList, Doc: "references, pipe-delimited"}, Wire: "references"},
	{Field: pipeline.Field{Name: "id", Type: pipeline.TypeString, Doc: "id: the source's identifier; the tenant skips an id used before"}, Wire: "id"},
	{Field: pipeline.Field{Name: "text", Type: pipeline.TypeString, Required: true, Doc: "the body, sent as the TXT file filename (UTF-8)"}, Wire: ""},
	{Field: pipeline.Field{Name: "eval_form_id", Type: pipeline.TypeInt, Doc: "evalForm by id, when no name is given"}, Wire: ""},
}

// Entity is the target's one entity.
func Entity() pipeline.Entity {
	return push.EntityOf("text_contacts", "cal_text_contact_import_row", "text contacts with their bodies, keyed by id, else type, agent, time and body",
		[]string{"id"}, fields)
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		PlansRecords: true,
		Name:         KindName,
		Doc:          "Calabrio QM Generic Text Import with Multiple Files (/api/upload/textcontacts/): text contacts with their TXT bodies",
		Entities:     []pipeline.Entity{Entity()},
		Options: calapi.ConnOptionDocs(append([]pipeline.Option{
			{Name: "batch_contacts", Default: strconv.Itoa(DefaultBatchContacts), Doc: "contacts per upload at most"}},
			calpush.DropOptions...)...),
		Validate: func(m map[string]string) error { _, _, err := parseOptions(m); return err },
		Open:     open,
	}
}

func parseOptions(m map[string]string) (int, string, error) {
	var p apiopt.Problems
	n := apiopt.Int(m, "batch_contacts", DefaultBatchContacts, 1, 100_000, &p)
	drop, err := calpush.ParseDrop(m)
	if err != nil {
		p.Add("%v", err)
	}
	if m["mode"] != "drop" {
		if err := calapi.CheckConn(KindName, m); err != nil {
			return n, drop, err
		}
	}
	return n, drop, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	n, drop, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	t := &target{batch: n, drop: drop, remote: cfg.Remote}
	if drop == "" {
		if t.conn, err = calapi.Connect(KindName, cfg.Options, cfg.Logger); err != nil {
			return nil, fmt.Errorf("%s: %w", KindName, err)
		}
	}
	return t, nil
}

type target struct {
	conn  *calapi.Conn
	batch int
	drop  string // the Data Server drop folder; "" uploads through the API
	// remote writes a drop folder given as a URL
	remote map[string]pipeline.RemoteFiles
}

func (t *target) Close() error {
	if t.conn != nil {
		t.conn.Close()
	}
	return nil
}

const bodyCell = "#text"

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
			if id := w.Get("id"); id != "" {
				return w.Get("textType") + "|" + id
			}
			sum := sha256.Sum256([]byte(w.Get(bodyCell)))
			return w.Get("textType") + "|" + w.Get("username") + "|" + w.Get("time") + "|" + hex.EncodeToString(sum[:8])
		},
		Skip: func(w pipeline.Wire, _ string, e pipeline.LedgerEntry) (string, bool) {
			switch {
			case e.Pending && w.Get("id") != "":
				return "", false // the tenant skips an id used before: sending it again is safe
			case e.Pending:
				return "was being sent when run " + e.RunID + " stopped: not sent again, to import nothing twice " +
					"(if the tenant lacks it, remove the job's ledger entries to send it)", true
			}
			return "imported by run " + e.RunID, true
		},
	}
}

func wireOf(v map[string]any) (pipeline.Wire, error) {
	w := make(map[string]string, len(v)+1)
	for _, f := range fields {
		x, ok := v[f.Name]
		if !ok || x == nil {
			continue
		}
		key := f.Wire
		if key == "" {
			key = "#" + f.Name
		}
		switch val := x.(type) {
		case string:
			if f.Name == "text" {
				w[bodyCell] = val
			} else if val = strings.TrimSpace(val); val != "" {
				w[key] = val
			}
		case int64:
			w[key] = strconv.FormatInt(val, 10)
		case time.Time:
			w[key] = strconv.FormatInt(val.UnixMilli(), 10)
		case []string:
			w[key] = strings.Join(val, "|")
		case map[string]string:
			var pairs []string
			for _, k := range slices.Sorted(maps.Keys(val)) {
				pairs = append(pairs, k+"="+val[k])
			}
			w[key] = strings.Join(pairs, "|")
		}
	}
	if w["evalForm"] == "" && w["#eval_form_id"] != "" {
		w["evalForm"] = w["#eval_form_id"] // the CSV's evalForm takes a name or an id
	}
	delete(w, "#eval_form_id")
	if f := w["filename"]; f != "" && (strings.ToLower(path.Ext(f)) != ".txt" || path.Base(f) != f) {
		return pipeline.Wire{}, fmt.Errorf("field filename: a .txt file name without folders")
	}
	if tt := w["textType"]; tt != "" {
		w["textType"] = strings.ToLower(tt)
	}
	return pipeline.WireMap(w), nil
}

var csvHeader = []string{"textType", "filename", "evalForm", "time", "username", "sender", "receiver", "subject", "metadata", "references", "id"}

// Apply uploads the sends batch_contacts at a time; two bodies of one name
// never share an upload.
func (t *target) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	var batch []pipeline.Change
	names := map[string]bool{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := t.upload(ctx, batch, j)
		batch, names = nil, map[string]bool{}
		return err
	}
	for _, c := range p.Changes {
		if !push.Writes(c) {
			continue
		}
		if len(batch) >= t.batch || names[c.Wire.Get("filename")] {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, c)
		names[c.Wire.Get("filename")] = true
	}
	return flush()
}

// CutWindow ends a window of a streamed push after whole uploads of
// batch_contacts, so that windows add no upload to those of the whole plan
// (but where two bodies of one name cut a batch short).
func (t *target) CutWindow(changes []pipeline.Change) int {
	return push.CutWhole(changes, t.batch)
}

func (t *target) upload(ctx context.Context, batch []pipeline.Change, j pipeline.Journal) error {
	rows := make([]pipeline.Wire, len(batch))
	for i, c := range batch {
		rows[i] = c.Wire
	}
	data, err := push.CSV(csvHeader, rows)
	if err != nil {
		return err
	}
	if t.drop != "" { // the reference: the data file's name "must be TEXTCONTACT"; the CONTACT. prefix form is assumed
		bodies := map[string][]byte{}
		for _, c := range batch {
			bodies[c.Wire.Get("filename")] = []byte(c.Wire.Get(bodyCell))
		}
		return calpush.Drop(ctx, calpush.DropDir{Dir: t.drop, Remote: t.remote}, "TEXTCONTACT.ccetl-"+batch[0].Hash[:16]+".csv", data, bodies, "text_contacts", batch, j)
	}
	parts := []push.Part{{Field: "file", FileName: "textcontacts.csv", Type: "text/csv", Body: bytes.NewReader(data)}}
	for _, c := range batch {
		parts = append(parts, push.Part{Field: "file", FileName: c.Wire.Get("filename"), Type: "text/plain; charset=utf-8",
			Body: strings.NewReader(c.Wire.Get(bodyCell))})
	}
	return calpush.Send(ctx, calpush.Upload{Conn: t.conn, Path: UploadPath, Entity: "text_contacts", Batch: batch, Parts: parts,
		What: fmt.Sprintf("%d text contacts", len(batch))}, j)
}

var _ pipeline.WindowCutter = (*target)(nil)
