package coachingpush

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/ccetl/ccetl/connectors/genesys"
	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// KindName is the target's name (the pull kind of the same data has the
// same name).
const KindName = "genesys-coaching"

// Entity names, in the order they are written: an annotation names its
// appointment.
const (
	Appointments = "appointments"
	Annotations  = "annotations"
)

// Bounds ccetl holds values to. The reference documents no maximum
// length for any field; these keep a typo (a whole file in one cell) from
// reaching the API.
const (
	MaxName        = 200
	MaxDescription = 10_000
	MaxText        = 10_000
	MaxIDLen       = 128
)

// DefaultUsersPerRequest bounds the userIds of one appointments list
// request (the URL's length).
const DefaultUsersPerRequest = 50

// appointmentFields are the appointments entity's fields with their wire
// names (CreateCoachingAppointmentRequest). Their names are the columns of
// the pull kind's gen_coaching_appointment table, so a pulled table pushes
// back as it is.
var appointmentFields = []push.WireField{
	{Field: pipeline.Field{Name: "id", Type: pipeline.TypeString, MaxLen: MaxIDLen,
		Doc: "the appointment's id where the row comes from (a pulled table's id); never sent. An appointment of this id on the target is the one the row updates; annotations name their appointment by it"}},
	{Field: pipeline.Field{Name: "name", Type: pipeline.TypeString, Required: true, MaxLen: MaxName, Doc: "name"}, Wire: "name"},
	{Field: pipeline.Field{Name: "description", Type: pipeline.TypeString, Required: true, MaxLen: MaxDescription, Doc: "description"}, Wire: "description"},
	{Field: pipeline.Field{Name: "date_start", Type: pipeline.TypeTimestamp, Required: true, Doc: "dateStart, sent as ISO-8601 UTC with milliseconds"}, Wire: "dateStart"},
	{Field: pipeline.Field{Name: "length_in_minutes", Type: pipeline.TypeInt, Required: true, Doc: "lengthInMinutes, positive"}, Wire: "lengthInMinutes"},
	{Field: pipeline.Field{Name: "attendee_ids", Type: pipeline.TypeList, Required: true, MaxLen: MaxIDLen,
		Doc: "attendeeIds: user ids of the organization (a list, or ids separated by ';')"}, Wire: "attendeeIds"},
	{Field: pipeline.Field{Name: "facilitator_id", Type: pipeline.TypeString, MaxLen: MaxIDLen, Doc: "facilitatorId: a user id of the organization"}, Wire: "facilitatorId"},
	{Field: pipeline.Field{Name: "conversation_ids", Type: pipeline.TypeList, MaxLen: MaxIDLen, Doc: "conversationIds"}, Wire: "conversationIds"},
}

// annotationFields are the annotations entity's fields
// (CoachingAnnotationCreateRequest plus the appointment), named as the
// columns of gen_coaching_annotation.
var annotationFields = []push.WireField{
	{Field: pipeline.Field{Name: "id", Type: pipeline.TypeString, MaxLen: MaxIDLen, Doc: "the annotation's id where the row comes from; names it in the plan, never sent"}},
	{Field: pipeline.Field{Name: "appointment_id", Type: pipeline.TypeString, Required: true, MaxLen: MaxIDLen,
		Doc: "the id of an appointments row of the same push, or of an appointment on the target"}, Wire: "appointmentId"},
	{Field: pipeline.Field{Name: "text", Type: pipeline.TypeString, Required: true, MaxLen: MaxText, Doc: "text"}, Wire: "text"},
	{Field: pipeline.Field{Name: "access_type", Type: pipeline.TypeString, Required: true, Enum: []string{"Public", "Private"}, Doc: "accessType"}, Wire: "accessType"},
}

// Kind returns the target kind.
func Kind() pipeline.TargetKind {
	return pipeline.TargetKind{
		Name: KindName,
		Doc: "Genesys Cloud coaching appointments and their annotations (POST/PATCH /api/v2/coaching/appointments, " +
			"POST .../{id}/annotations), planned against the appointments of the input's attendees; insert and update only",
		Entities: []pipeline.Entity{
			push.EntityOf(Appointments, genesys.AppointmentTableName,
				"coaching appointments: the one on the target with the row's id, else the one an earlier push created for the row (the ledger), else the one with the same name, date_start and attendee_ids; created when none, updated field by field (PATCH) when a field differs",
				[]string{"id"}, appointmentFields),
			push.EntityOf(Annotations, genesys.AnnotationTableName,
				"annotations of an appointment (an appointments row of the push, or one on the target); one with the same text and access_type on the appointment is not added again",
				[]string{"text"}, annotationFields),
		},
		Options: append(append([]pipeline.Option(nil), genesys.ConnOptionDocs...),
			pipeline.Option{Name: "users_per_request", Default: strconv.Itoa(DefaultUsersPerRequest), Doc: "user ids per appointments list request when reading the target's state (bounds the URL length)"}),
		Validate: func(m map[string]string) error { _, err := parseOptions(m); return err },
		Open:     open,
	}
}

type options struct {
	conn            genesys.ConnOptions
	usersPerRequest int
}

func parseOptions(m map[string]string) (options, error) {
	var p apiopt.Problems
	o := options{conn: genesys.ParseConnOptions(m, &p)}
	o.usersPerRequest = apiopt.Int(m, "users_per_request", DefaultUsersPerRequest, 1, 1000, &p)
	return o, p.Err(KindName)
}

func open(_ context.Context, cfg pipeline.TargetConfig) (pipeline.Target, error) {
	o, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	log := pipeline.OrDiscard(cfg.Logger)
	conn, err := genesys.Connect(o.conn, log)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KindName, err)
	}
	k := Kind()
	return &target{conn: conn, o: o, log: log.With(slog.String("target", KindName)), appt: k.Entities[0], note: k.Entities[1]}, nil
}
