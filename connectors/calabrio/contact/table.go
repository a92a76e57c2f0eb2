package contact

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names.
const (
	TableName          = "cal_contact_import_row"
	RecordingTableName = "cal_contact_import_recording"
)

// Column positions in Table.
const (
	cUploadID = iota
	cSourceFile
	cContactKey
	cAgentID
	cAgentIDFormat
	cContactStart
	cClientTimeZone
	cAssocCallID
	cCallID
	cCalledAddress
	cCallingAddress
	cLine
	cDirection
	cRecording1 // then _path, _bytes, _sha256
	_
	_
	_
	cRecording2 // then _path, _bytes, _sha256
	_
	_
	_
	cRecording2Offset
	cAudioLocation // then _path, _bytes, _sha256
	_
	_
	_
	cAudioStart
	cScreenLocation // then _path, _bytes, _sha256
	_
	_
	_
	cScreenStart
	cMetadata
)

// slotCol is the first column (the file name) of each recording slot; the
// stored path, size and sha256 follow it.
var slotCol = [nSlots]int{cRecording1, cRecording2, cAudioLocation, cScreenLocation}

var tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

func str(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
}

func i64(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}
}

func ts(name string) arrow.Field { return arrow.Field{Name: name, Type: tsUTC, Nullable: true} }

// recording is a slot's four columns: the name the row gives, and where the
// file was stored, its size and sha256.
func recording(name, file string) []arrow.Field {
	return []arrow.Field{str(file), str(name + "_path"), i64(name + "_bytes"), str(name + "_sha256")}
}

func fields(groups ...[]arrow.Field) []arrow.Field {
	var out []arrow.Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Table is one row per contact of the upload's CSV and JSON files.
var Table = pipeline.Table{
	Name: TableName,
	Doc: "one row per contact of a Calabrio bulk contact import upload (CSV/JSON metadata), " +
		"with where each referenced recording was stored",
	Schema: arrow.NewSchema(fields(
		[]arrow.Field{
			{Name: "upload_id", Type: arrow.BinaryTypes.String},
			{Name: "source_file", Type: arrow.BinaryTypes.String},
			{Name: "contact_key", Type: arrow.BinaryTypes.String},
			str("agent_id"), str("agent_id_format"), ts("contact_start"), str("client_time_zone"),
			str("assoc_call_id"), str("call_id"), str("called_address"), str("calling_address"),
			str("line"), i64("direction"),
		},
		recording("recording1", "recording1"),
		recording("recording2", "recording2"),
		[]arrow.Field{i64("recording2_offset_ms")},
		recording("audio", "audio_location"),
		[]arrow.Field{ts("audio_start")},
		recording("screen", "screen_location"),
		[]arrow.Field{ts("screen_start")},
		[]arrow.Field{{Name: "metadata", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true}},
	), nil),
	PartitionBy: "contact_start",
}

// Column positions in RecordingTable.
const (
	rUploadID = iota
	rName
	rSourceFile
	rBytes
	rSHA256
	rPath
	rReferenced
	rContacts
	rRejectedContacts
)

// RecordingTable is one row per recording file of the upload, referenced
// or not.
var RecordingTable = pipeline.Table{
	Name: RecordingTableName,
	Doc:  "one row per recording file of a Calabrio bulk contact import upload, referenced or not",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "upload_id", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "source_file", Type: arrow.BinaryTypes.String},
		{Name: "bytes", Type: arrow.PrimitiveTypes.Int64},
		{Name: "sha256", Type: arrow.BinaryTypes.String},
		str("path"),
		{Name: "referenced", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "contacts", Type: arrow.PrimitiveTypes.Int64},
		{Name: "rejected_contacts", Type: arrow.PrimitiveTypes.Int64},
	}, nil),
}
