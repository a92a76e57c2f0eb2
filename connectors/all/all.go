// Package all lists every connector ccetl ships: the one place a kind or a
// sink is registered. Tests build registries holding only what they need.
package all

import (
	"github.com/ccetl/ccetl/connectors/calabrio/whit"
	"github.com/ccetl/ccetl/connectors/local"
	"github.com/ccetl/ccetl/connectors/maestroqa"
	"github.com/ccetl/ccetl/pipeline"
)

// Registry returns a registry with every kind and sink.
func Registry() *pipeline.Registry {
	r := pipeline.NewRegistry()
	r.AddKind(whit.Kind())
	r.AddKind(maestroqa.Kind())
	r.AddSink(local.SinkKind())
	return r
}
