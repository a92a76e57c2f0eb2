package textcontact

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// TableName is the table text contacts load into.
const TableName = "cal_text_contact_import_row"

// Column positions in Table.
const (
	cUploadID = iota
	cSourceFile
	cTextType
	cEvalFormID
	cEvalFormName
	cTime
	cUsername
	cSender
	cReceiver
	cSubject
	cMetadata
	cReferences
	cID
	cFilename
	cText
	cTextBytes
	cTextSHA256
)

var (
	tsUTC   = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	strList = arrow.ListOf(arrow.BinaryTypes.String)
	strMap  = arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)
)

// Table is one row per text contact of the upload's CSV and JSON files,
// with the body of the TXT file it names.
var Table = pipeline.Table{
	Name: TableName,
	Doc:  "one row per text contact of a Calabrio generic text import upload (CSV/JSON contact data + TXT bodies)",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "upload_id", Type: arrow.BinaryTypes.String},
		{Name: "source_file", Type: arrow.BinaryTypes.String},
		{Name: "text_type", Type: arrow.BinaryTypes.String},
		{Name: "eval_form_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "eval_form_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "time", Type: tsUTC},
		{Name: "username", Type: arrow.BinaryTypes.String},
		{Name: "sender", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "receiver", Type: strList, Nullable: true},
		{Name: "subject", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "metadata", Type: strMap, Nullable: true},
		{Name: "references", Type: strList, Nullable: true},
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "filename", Type: arrow.BinaryTypes.String},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "text_bytes", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text_sha256", Type: arrow.BinaryTypes.String},
	}, nil),
	PartitionBy: "time",
}
