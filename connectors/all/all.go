// Package all lists every connector ccetl ships: the one place a kind or a
// sink is registered. Tests build registries holding only what they need.
package all

import (
	calabrioapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/calabrio/contact"
	"github.com/ccetl/ccetl/connectors/calabrio/contactimport"
	"github.com/ccetl/ccetl/connectors/calabrio/historicalimport"
	"github.com/ccetl/ccetl/connectors/calabrio/org"
	"github.com/ccetl/ccetl/connectors/calabrio/orgimport"
	"github.com/ccetl/ccetl/connectors/calabrio/textcontact"
	"github.com/ccetl/ccetl/connectors/calabrio/textimport"
	"github.com/ccetl/ccetl/connectors/calabrio/whit"
	"github.com/ccetl/ccetl/connectors/cresta"
	"github.com/ccetl/ccetl/connectors/cresta/planpush"
	"github.com/ccetl/ccetl/connectors/genesys"
	"github.com/ccetl/ccetl/connectors/genesys/coachingpush"
	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/connectors/livevox"
	"github.com/ccetl/ccetl/connectors/livevox/agentpush"
	"github.com/ccetl/ccetl/connectors/local"
	"github.com/ccetl/ccetl/connectors/maestroqa"
	"github.com/ccetl/ccetl/connectors/parquet"
	"github.com/ccetl/ccetl/connectors/s3"
	"github.com/ccetl/ccetl/pipeline"
)

// Registry returns a registry with every kind and sink. getenv supplies the
// standard AWS settings (region, endpoint, profile) S3 takes when a job or
// command does not set them.
func Registry(getenv func(string) string) *pipeline.Registry {
	r := pipeline.NewRegistry()
	r.AddKind(whit.Kind())
	r.AddKind(org.GroupsKind())
	r.AddKind(org.TeamsKind())
	r.AddKind(org.PersonsKind())
	r.AddKind(contact.Kind())
	r.AddKind(textcontact.Kind())
	for _, k := range calabrioapi.Kinds() {
		r.AddKind(k)
	}
	r.AddKind(genesys.Kind())
	r.AddKind(cresta.Kind())
	r.AddKind(livevox.Kind())
	r.AddKind(maestroqa.Kind())
	r.AddKind(maestroqa.APIKind())
	r.AddKind(parquet.Kind())
	r.AddTarget(orgimport.Kind())
	r.AddTarget(coachingpush.Kind())
	r.AddTarget(historicalimport.Kind())
	r.AddTarget(contactimport.Kind())
	r.AddTarget(textimport.Kind())
	r.AddTarget(agentpush.Kind())
	r.AddTarget(planpush.Kind())
	r.AddSink(local.SinkKind())
	r.AddSink(s3.SinkKind(getenv))
	for _, k := range iceberg.SinkKinds(getenv) {
		r.AddSink(k)
	}
	r.AddRemote("s3", s3.NewRemote(getenv))
	return r
}
