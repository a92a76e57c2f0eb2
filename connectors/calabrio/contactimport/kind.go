package contactimport

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/internal/calpush"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name.
const KindName = "calabrio-contact-import"

// UploadPath is the Bulk Contact Import.
const UploadPath = "/api/upload/contacts"

// Defaults of the batch bounds.
const (
	DefaultBatchContacts = 100
	DefaultBatchBytes    = 256 << 20
)

type field = push.WireField

var fields = []field{
	{Field: pipeline.Field{Name: "agent_id", Type: pipeline.TypeString, Required: true, MaxLen: 254, Doc: "AgentId: a person id, an AD login (domain\\user) or an email"}, Wire: "AgentId"},
	{Field: pipeline.Field{Name: "contact_start", Type: pipeline.TypeTimestamp, Doc: "ContactStartTimeMs (always send it: without it the upload time is used)"}, Wire: "ContactStartTimeMs"},
	{Field: pipeline.Field{Name: "client_time_zone", Type: pipeline.TypeString, MaxLen: 255, Doc: "TimeZone"}, Wire: "TimeZone"},
	{Field: pipeline.Field{Name: "assoc_call_id", Type: pipeline.TypeString, MaxLen: 52, Doc: "AssocCallId"}, Wire: "AssocCallId"},
	{Field: pipeline.Field{Name: "call_id", Type: pipeline.TypeString, MaxLen: 128, Doc: "CallId (the contact's key when present)"}, Wire: "CallId"},
	{Field: pipeline.Field{Name: "called_address", Type: pipeline.TypeString, MaxLen: 64, Doc: "CalledAddress"}, Wire: "CalledAddress"},
	{Field: pipeline.Field{Name: "line", Type: pipeline.TypeString, MaxLen: 64, Doc: "Line"}, Wire: "Line"},
	{Field: pipeline.Field{Name: "calling_address", Type: pipeline.TypeString, MaxLen: 64, Doc: "CallingAddress"}, Wire: "CallingAddress"},
	{Field: pipeline.Field{Name: "direction", Type: pipeline.TypeInt, Doc: "Direction: 0 outbound, 1 inbound"}, Wire: "Direction"},
	{Field: pipeline.Field{Name: "recording1", Type: pipeline.TypeString, Required: true, MaxLen: 128, Doc: "Recording1: the recording's file name"}, Wire: "Recording1"},
	{Field: pipeline.Field{Name: "recording2", Type: pipeline.TypeString, MaxLen: 128, Doc: "Recording2"}, Wire: "Recording2"},
	{Field: pipeline.Field{Name: "recording2_offset_ms", Type: pipeline.TypeInt, Doc: "Recording2Offset"}, Wire: "Recording2Offset"},
	{Field: pipeline.Field{Name: "metadata", Type: pipeline.TypeMap, Doc: "custom metadata: metadata.<name> columns (names up to 39, values up to 2056 characters)"}, Wire: ""},
	{Field: pipeline.Field{Name: "recording1_path", Type: pipeline.TypeString, Doc: "where Recording1's file is (the source's or the lake's media/ path)"}, Wire: ""},
	{Field: pipeline.Field{Name: "recording1_sha256", Type: pipeline.TypeString, Doc: "Recording1's sha256"}, Wire: ""},
	{Field: pipeline.Field{Name: "recording2_path", Type: pipeline.TypeString, Doc: "where Recording2's file is"}, Wire: ""},
	{Field: pipeline.Field{Name: "recording2_sha256", Type: pipeline.TypeString, Doc: "Recording2's sha256"}, Wire: ""},
}

// Entity is the target's one entity.
func Entity() pipeline.Entity {
	return push.EntityOf("contacts", "cal_contact_import_row", "contacts with their recordings, keyed by CallId, else agent, start and recording",
		[]string{"call_id", "agent_id", "contact_start"}, fields)
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		PlansRecords: true,
		Name:         KindName,
		Doc:          "Calabrio QM Bulk Contact Import (/api/upload/contacts): contacts with their recordings, in batches; sent once, through the job's ledger",
		Entities:     []pipeline.Entity{Entity()},
		Options: calapi.ConnOptionDocs(append([]pipeline.Option{
			{Name: "batch_contacts", Default: strconv.Itoa(DefaultBatchContacts), Doc: "contacts per upload at most"},
			{Name: "batch_bytes", Default: strconv.Itoa(DefaultBatchBytes), Doc: "bytes of recordings per upload, about (a larger recording goes alone)"},
			{Name: "media_root", Doc: "where the rows' recording paths (media/...) lie when the rows come from a lake (the parquet kind): " +
				"the lake's root, a directory or s3://bucket/prefix; default: the files the job's sources stored"},
		}, calpush.DropOptions...)...),
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

type options struct {
	contacts int
	bytes    int64
	drop     string // the Data Server drop folder; "" uploads through the API
	// mediaRoot resolves recording paths ("" : the sources' stored files)
	mediaRoot string
}

func parseOptions(m map[string]string) (options, error) {
	var p apiopt.Problems
	o := options{contacts: apiopt.Int(m, "batch_contacts", DefaultBatchContacts, 1, 100_000, &p),
		bytes: int64(apiopt.Int(m, "batch_bytes", DefaultBatchBytes, 1, 1<<40, &p))}
	o.mediaRoot = strings.TrimRight(strings.TrimSpace(m["media_root"]), "/")
	var err error
	if o.drop, err = calpush.ParseDrop(m); err != nil {
		p.Add("%v", err)
	}
	if m["mode"] != "drop" {
		if err := calapi.CheckConn(KindName, m); err != nil {
			return o, err
		}
	}
	return o, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	if cfg.Files == nil && o.mediaRoot == "" {
		return nil, fmt.Errorf("%s: no file store to read recordings from", KindName)
	}
	t := &target{o: o, files: cfg.Files, remote: cfg.Remote}
	if o.mediaRoot != "" {
		t.files = mediaOpener(o.mediaRoot, cfg.Remote)
	}
	if o.drop == "" {
		if t.conn, err = calapi.Connect(KindName, cfg.Options, cfg.Logger); err != nil {
			return nil, fmt.Errorf("%s: %w", KindName, err)
		}
	}
	return t, nil
}
