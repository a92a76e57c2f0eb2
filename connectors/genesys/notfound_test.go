package genesys

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// An appointment deleted between the list and its annotations is not bad
// data: no reject anywhere, its status history stays, the report counts
// it. A configured user without appointments is an empty page.
func TestAnnotationsGoneAndUserWithoutAppointments(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/" + ids[0] + "/annotations", Status: http.StatusNotFound})
	o := run(t, options(e, append([]string{"user-without-appointments"}, users...)), now0(), nil, "")
	if o.err != nil {
		t.Fatal(o.err)
	}
	if n := o.res.Totals().RowsRejected; n != 0 {
		t.Errorf("%d rejected rows: %+v", n, o.res.Tables)
	}
	if n := len(keyed(t, o.out, AppointmentTableName, "id")); n != len(ids) {
		t.Errorf("%d appointments, want %d", n, len(ids))
	}
	if n := len(keyed(t, o.out, StatusTableName, "appointment_id", "date_created", "status")); n != 3*len(ids) {
		t.Errorf("%d status rows, want %d (the gone appointment's were read first)", n, 3*len(ids))
	}
	anns := keyed(t, o.out, AnnotationTableName, "id")
	if len(anns) != 2*(len(ids)-1) {
		t.Errorf("%d annotations, want %d", len(anns), 2*(len(ids)-1))
	}
	for _, a := range anns {
		if a["appointment_id"] == ids[0] {
			t.Errorf("an annotation of the gone appointment: %v", a)
		}
	}
	if r := report(t, o); r["appointments_gone"] != int64(1) {
		t.Errorf("report %v", r)
	}
}

// A 404 for the appointments list itself is no data: the run fails naming
// the interval and user chunk it asked for, and commits nothing.
func TestAppointmentsListNotFoundFails(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e)
	e.Inject(genesystest.Fault{Path: appointmentsPath, Status: http.StatusNotFound})
	o := run(t, options(e, users), now0(), nil, "")
	if se, ok := errors.AsType[*httpx.StatusError](o.err); !ok || se.StatusCode != http.StatusNotFound {
		t.Fatalf("error %v, want the 404", o.err)
	}
	if msg := o.err.Error(); !strings.Contains(msg, "appointments page 1 (interval ") || !strings.Contains(msg, "user chunk 1 of 1") {
		t.Errorf("error %q does not name the request", msg)
	}
	if files := committedFiles(t, o.out); len(files) != 0 {
		t.Errorf("a failed run committed %v", files)
	}
}
