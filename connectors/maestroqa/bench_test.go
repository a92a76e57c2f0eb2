package maestroqa

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// benchBody generates an export of n sessions shaped like the reference:
// two activity entries, three points (one shared with the previous
// session) and two to-dos each.
func benchBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"_id":"s%08d","coachingFormName":"Weekly 1:1 coaching","coachingTemplateId":"tpl1","coachingTemplateName":"Standard QA coaching",`+
			`"meetingFormat":"in person","formCreatorId":"u1","formCreatorName":"Dana Whitfield","coachName":"Dana Whitfield","coachId":"u1",`+
			`"agentId":"a%04d","agentName":"Agent %d","createdAt":"2021-12-01T14:30:00.000Z","updatedAt":"2021-12-03T09:12:45.123Z",`+
			`"sharedWithAgent":true,"meetingDate":"2021-12-02T16:00:00.000Z","agentConfirmed":true,"coachConfirmed":false,`+
			`"coachNotes":"Great empathy; work on hold times.","agentNotes":"다음 주에 다시 확인","isDeleted":false,"activityLog":[`+
			`{"userId":"u1","userEmail":"dana@example.com","actionType":"created","descriptions":["created"],"timestamp":"2021-12-01T14:30:00.000Z","ipAddress":"203.0.113.10"},`+
			`{"userId":"a1","userEmail":"agent@example.com","actionType":"confirmed","descriptions":["confirmed","by agent"],"timestamp":1638522765123,"ipAddress":"198.51.100.23"}],`+
			`"coachingPoints":[`, i, i%1000, i)
		for j, id := range []string{fmt.Sprintf("p%08d-0", i), fmt.Sprintf("p%08d-1", i), fmt.Sprintf("p%08d-0", max(i-1, 0))} {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"_id":"%s","coachingFormIds":["s%08d"],"type":"strength","classification":"qa","ticketId":"48213","subject":"Empathy",`+
				`"rubricName":"QA rubric","criteriaName":"Acknowledges","kpiName":"","score":"4.5","agentNotes":"","coachNotes":"Textbook.",`+
				`"createdAt":"2021-12-01T14:36:02.000Z","updatedAt":"2021-12-02T16:40:00.000Z","isDeleted":false}`, id, i)
		}
		b.WriteString(`],"todos":[`)
		for j := 0; j < 2; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"_id":"t%08d-%d","actionString":"Review","coachingFormIds":["s%08d"],"completedAt":null,"createdAt":"2021-12-02T16:45:00.000Z",`+
				`"creatorId":"u1","creatorName":"Dana Whitfield","description":"Read the guide.","link":"https://example.com/kb","status":"open",`+
				`"title":"Guide","type":"link","updatedAt":"2021-12-06T10:02:11.000Z","isDeleted":%t}`, i, j, i, j == 1)
		}
		b.WriteString(`]}`)
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

func BenchmarkDecode(b *testing.B) {
	body := benchBody(2000)
	for _, prescan := range []bool{false, true} {
		b.Run(fmt.Sprintf("prescan=%v", prescan), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				d := NewDecoder(memory.DefaultAllocator, pipeline.DefaultBatchPolicy())
				if prescan {
					if err := d.Prescan(context.Background(), bytes.NewReader(body), "bench"); err != nil {
						b.Fatal(err)
					}
				}
				err := d.Decode(bytes.NewReader(body), "bench", func(bt pipeline.Batch) error {
					bt.Release()
					return nil
				})
				d.Release()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
