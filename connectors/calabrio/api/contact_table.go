package api

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/pipeline"
)

// Table names of calabrio-contacts.
const (
	ContactTable    = "cal_contact"
	MetadataTable   = "cal_contact_metadata"
	MediaTable      = "cal_contact_media"
	TranscriptTable = "cal_transcript"
)

// Column positions of cal_contact.
const (
	cID = iota
	cStartTime
	cTZ
	cCallDuration
	cANI
	cDNIS
	cICMCallID
	cAssocCallID
	cHR
	cTraining
	cAudioUploaded
	cScreenUploaded
	cRecordingURL
	cEvalFormName
	cEvalFormRef
	cTeamName
	cTeamRef
	cTeamDisplayID
	cGroupName
	cGroupRef
	cAgentUsername
	cAgentFirstName
	cAgentLastName
	cAgentDisplayID
	cAgentRef
	cEvaluatorUsername
	cEvaluatorFirstName
	cEvaluatorLastName
	cEvaluatorDisplayID
	cEvaluatorRef
	cEvaluationStateID
	cEvaluationScore
	cEvaluationRef
	cQualityReasonText
	cQualityReasonID
	cQualityReasonKey
	cMetadataRef
	cArchiveWFRef
	cQualityWFRef
	cExtraJSON
	cWindowDate
)

func nullable(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// Contact is cal_contact.
var Contact = pipeline.Table{
	Name: ContactTable,
	Doc: "one row per recorded contact found by GET /api/rest/recording/contact (one-day windows, expand=metadata); " +
		"id is the CCR id and the key (the ccrid of the Transcript Export). start_time is startTime (epoch ms), " +
		"call_duration_ms callDuration; assoc_call_id is text (a number here, a string in Basic Search, doc error 43); " +
		"the nested evalForm, team, group, agent, evaluator, evaluation, qualityReason, archiveWF and qualityWF objects " +
		"are flattened to <object>_<field>, their $ref links to *_ref; metadata_ref is the metadata link when it was not " +
		"expanded (the values go to cal_contact_metadata); extra_json holds fields the reference does not show, as a JSON " +
		"object (null when none); window_date is the day whose search returned the contact.",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: i64},
		nullable("start_time", tsUTC),
		nullable("tz", utf8),
		nullable("call_duration_ms", i64),
		nullable("ani", utf8),
		nullable("dnis", utf8),
		nullable("icm_call_id", utf8),
		nullable("assoc_call_id", utf8),
		nullable("hr", boolean),
		nullable("training", boolean),
		nullable("audio_uploaded", boolean),
		nullable("screen_uploaded", boolean),
		nullable("recording_url", utf8),
		nullable("eval_form_name", utf8),
		nullable("eval_form_ref", utf8),
		nullable("team_name", utf8),
		nullable("team_ref", utf8),
		nullable("team_display_id", utf8),
		nullable("group_name", utf8),
		nullable("group_ref", utf8),
		nullable("agent_username", utf8),
		nullable("agent_first_name", utf8),
		nullable("agent_last_name", utf8),
		nullable("agent_display_id", utf8),
		nullable("agent_ref", utf8),
		nullable("evaluator_username", utf8),
		nullable("evaluator_first_name", utf8),
		nullable("evaluator_last_name", utf8),
		nullable("evaluator_display_id", utf8),
		nullable("evaluator_ref", utf8),
		nullable("evaluation_state_id", i64),
		nullable("evaluation_score", f64),
		nullable("evaluation_ref", utf8),
		nullable("quality_reason_text", utf8),
		nullable("quality_reason_id", i64),
		nullable("quality_reason_key", utf8),
		nullable("metadata_ref", utf8),
		nullable("archive_wf_ref", utf8),
		nullable("quality_wf_ref", utf8),
		nullable("extra_json", utf8),
		{Name: "window_date", Type: date32},
	}, nil),
	PartitionBy: "window_date",
}

// Column positions of cal_contact_metadata.
const (
	mContactID = iota
	mKey
	mValue
	mWindowDate
)

// Metadata is cal_contact_metadata.
var Metadata = pipeline.Table{
	Name: MetadataTable,
	Doc: "one row per contact and metadata key, from the contact's metadata object expanded inline (expand=metadata); " +
		"key is the configured metadata name, value its text (a value that is not a JSON string is kept as JSON text). " +
		"Key: contact_id, key.",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "contact_id", Type: i64},
		{Name: "key", Type: utf8},
		nullable("value", utf8),
		{Name: "window_date", Type: date32},
	}, nil),
	PartitionBy: "window_date",
}

// Column positions of cal_contact_media.
const (
	dContactID = iota
	dFormat
	dPath
	dBytes
	dSHA256
	dContentType
	dGets
	dRequestIDs
	dWindowDate
)

// Media is cal_contact_media.
var Media = pipeline.Table{
	Name: MediaTable,
	Doc: "one row per media file exported with the Single Contact Export (POST then GET " +
		"/api/rest/recording/media/export/contact/<id>?type=<format>) and stored next to the tables; key contact_id, " +
		"format. path is where the file is in the output, bytes and sha256 its size and hash, content_type what the " +
		"server said; gets counts the GETs until the file was ready, request_ids the requestIds of the \"does not exist " +
		"or may have expired\" answers.",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "contact_id", Type: i64},
		{Name: "format", Type: utf8},
		{Name: "path", Type: utf8},
		{Name: "bytes", Type: i64},
		{Name: "sha256", Type: utf8},
		nullable("content_type", utf8),
		{Name: "gets", Type: i64},
		{Name: "request_ids", Type: strList},
		{Name: "window_date", Type: date32},
	}, nil),
	PartitionBy: "window_date",
}

// Column positions of cal_transcript.
const (
	tCCRID = iota
	tIsRoot
	tTranscriptJSON
	tWindowDate
)

// Transcript is cal_transcript.
var Transcript = pipeline.Table{
	Name: TranscriptTable,
	Doc: "one row per call transcript from the Transcript Export (PUT /api/rest/cas/speechtextview); key ccrid, " +
		"is_root_recording. The answer's shape is not documented (doc error 42), so transcript_json is the answer as " +
		"JSON text.",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "ccrid", Type: i64},
		{Name: "is_root_recording", Type: boolean},
		{Name: "transcript_json", Type: utf8},
		{Name: "window_date", Type: date32},
	}, nil),
	PartitionBy: "window_date",
}
