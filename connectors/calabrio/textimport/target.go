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

type field struct {
	pipeline.Field
	wire string
}

var fields = []field{
	{pipeline.Field{Name: "text_type", Type: pipeline.TypeString, Required: true, Enum: []string{"chat", "email", "facebook", "other", "website"}, Doc: "textType"}, "textType"},
	{pipeline.Field{Name: "filename", Type: pipeline.TypeString, Required: true, Doc: "filename: the TXT file of the body"}, "filename"},
	{pipeline.Field{Name: "eval_form_name", Type: pipeline.TypeString, Doc: "evalForm, by name"}, "evalForm"},
	{pipeline.Field{Name: "time", Type: pipeline.TypeTimestamp, Required: true, Doc: "time, sent as epoch ms"}, "time"},
	{pipeline.Field{Name: "username", Type: pipeline.TypeString, Required: true, Doc: "username: the agent's login"}, "username"},
	{pipeline.Field{Name: "sender", Type: pipeline.TypeString, Doc: "sender"}, "sender"},
	{pipeline.Field{Name: "receiver", Type: pipeline.TypeList, Doc: "receiver, pipe-delimited"}, "receiver"},
	{pipeline.Field{Name: "subject", Type: pipeline.TypeString, Doc: "subject"}, "subject"},
	{pipeline.Field{Name: "metadata", Type: pipeline.TypeMap, Doc: "metadata, name=value pairs joined by pipes"}, "metadata"},
	{pipeline.Field{Name: "references", Type: pipeline.TypeList, Doc: "references, pipe-delimited"}, "references"},
	{pipeline.Field{Name: "id", Type: pipeline.TypeString, Doc: "id: the source's identifier; the tenant skips an id used before"}, "id"},
	{pipeline.Field{Name: "text", Type: pipeline.TypeString, Required: true, Doc: "the body, sent as the TXT file filename (UTF-8)"}, ""},
	{pipeline.Field{Name: "eval_form_id", Type: pipeline.TypeInt, Doc: "evalForm by id, when no name is given"}, ""},
}

// Entity is the target's one entity.
func Entity() pipeline.Entity {
	e := pipeline.Entity{Name: "text_contacts", Table: "cal_text_contact_import_row", Key: []string{"id"},
		Doc: "text contacts with their bodies, keyed by id, else type, agent, time and body"}
	for _, f := range fields {
		e.Fields = append(e.Fields, f.Field)
	}
	return e
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		Name:     KindName,
		Doc:      "Calabrio QM Generic Text Import with Multiple Files (/api/upload/textcontacts/): text contacts with their TXT bodies",
		Entities: []pipeline.Entity{Entity()},
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
	t := &target{batch: n, drop: drop}
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
}

func (t *target) Close() error {
	if t.conn != nil {
		t.conn.Close()
	}
	return nil
}

const bodyCell = "#text"

func (t *target) Plan(_ context.Context, recs []pipeline.Record, led pipeline.Ledger) (*pipeline.Plan, error) {
	p := &pipeline.Plan{CreatedAt: time.Now().UTC()}
	ent := Entity()
	seen := map[string]string{}
	for _, r := range recs {
		c := pipeline.Change{Seq: len(p.Changes), Entity: ent.Name, Origin: r.Origin}
		w, err := wireOf(r.Values)
		if err == nil {
			err = push.Check(ent, r.Values)
		}
		if err != nil {
			c.Action, c.Reason = pipeline.ActionInvalid, err.Error()
			p.Changes = append(p.Changes, c)
			continue
		}
		sum := sha256.Sum256([]byte(w[bodyCell]))
		c.Key = w["textType"] + "|" + w["id"]
		if w["id"] == "" {
			c.Key = w["textType"] + "|" + w["username"] + "|" + w["time"] + "|" + hex.EncodeToString(sum[:8])
		}
		if first, dup := seen[c.Key]; dup {
			c.Action, c.Reason = pipeline.ActionInvalid, fmt.Sprintf("text contact %s appears twice in the input (first at %s)", c.Key, first)
			p.Changes = append(p.Changes, c)
			continue
		}
		seen[c.Key] = r.Origin
		c.Wire, c.Hash, c.Action = w, push.Hash(w), pipeline.ActionSend
		if e, ok := led.Lookup(ent.Name, c.Key); ok && !(e.Pending && w["id"] != "") {
			c.Action = pipeline.ActionSkip
			c.Reason = "imported by run " + e.RunID
			if e.Pending {
				c.Reason = "was being sent when run " + e.RunID + " stopped: not sent again, to import nothing twice " +
					"(if the tenant lacks it, remove the job's ledger entries to send it)"
			}
		}
		p.Changes = append(p.Changes, c)
	}
	return p, nil
}

func wireOf(v map[string]any) (map[string]string, error) {
	w := map[string]string{}
	for _, f := range fields {
		x, ok := v[f.Name]
		if !ok || x == nil {
			continue
		}
		key := f.wire
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
		return nil, fmt.Errorf("field filename: a .txt file name without folders")
	}
	if tt := w["textType"]; tt != "" {
		w["textType"] = strings.ToLower(tt)
	}
	return w, nil
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
		if len(batch) >= t.batch || names[c.Wire["filename"]] {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, c)
		names[c.Wire["filename"]] = true
	}
	return flush()
}

func (t *target) upload(ctx context.Context, batch []pipeline.Change, j pipeline.Journal) error {
	rows := make([]map[string]string, len(batch))
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
			bodies[c.Wire["filename"]] = []byte(c.Wire[bodyCell])
		}
		return calpush.Drop(ctx, t.drop, "TEXTCONTACT.ccetl-"+batch[0].Hash[:16]+".csv", data, bodies, "text_contacts", batch, j)
	}
	parts := []push.Part{{Field: "file", FileName: "textcontacts.csv", Type: "text/csv", Body: bytes.NewReader(data)}}
	for _, c := range batch {
		parts = append(parts, push.Part{Field: "file", FileName: c.Wire["filename"], Type: "text/plain; charset=utf-8",
			Body: strings.NewReader(c.Wire[bodyCell])})
	}
	return calpush.Send(ctx, calpush.Upload{Conn: t.conn, Path: UploadPath, Entity: "text_contacts", Batch: batch, Parts: parts,
		What: fmt.Sprintf("%d text contacts", len(batch))}, j)
}
