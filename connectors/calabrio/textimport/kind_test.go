package textimport

import (
	"fmt"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

func text(origin, typ, id string, n int) pipeline.Record {
	v := map[string]any{"text_type": typ, "filename": fmt.Sprintf("body%d.txt", n), "time": time.UnixMilli(1439993633000 + int64(n)).UTC(),
		"username": "agent1@calabrio.com", "receiver": []string{"a@x.com", "b@x.com"}, "metadata": map[string]string{"accNum": fmt.Sprint(n)},
		"text": fmt.Sprintf("Hello %d, café", n)}
	if id != "" {
		v["id"] = id
	}
	return pipeline.Record{Entity: "text_contacts", Origin: origin, Values: v}
}

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := calabriotest.New(t, calabriotest.Options{})
			return pushtest.Env{Options: map[string]string{"base_url": e.URL, "username": calabriotest.DefaultUsername,
				"password": calabriotest.DefaultPassword, "rate_limit": "10000/1s", "batch_contacts": "2"},
				Writes: func() int { return e.Stats().Routes["POST upload/textcontacts"] },
				State:  func() any { return e.ImportedTexts() }}
		},
		Records: []pipeline.Record{text("t.csv:2", "email", "1", 1), text("t.csv:3", "email", "2", 2), text("t.csv:4", "chat", "", 3),
			text("t.csv:5", "Website", "", 4), text("t.csv:6", "other", "9", 5)},
		Invalid: []pushtest.Invalid{
			{Record: text("t.csv:9", "fax", "", 9), Reason: "field text_type: not one of"},
			{Record: func() pipeline.Record {
				r := text("t.csv:10", "chat", "", 10)
				r.Values["filename"] = "body.doc"
				return r
			}(),
				Reason: "field filename: a .txt file name"},
			{Record: func() pipeline.Record { r := text("t.csv:11", "chat", "", 11); delete(r.Values, "username"); return r }(),
				Reason: "field username: required"},
		},
	})
}
