package org

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

// benchFile writes a generated file of n rows: header, then row(i).
func benchFile(b *testing.B, header string, n int, row func(i int) string) (string, int64) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString(header + "\n")
	for i := range n {
		sb.WriteString(row(i) + "\n")
	}
	p := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p, int64(sb.Len())
}

func benchKind(b *testing.B, s *spec, path string, size int64, n int) {
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		read, written, _, err := drain(b, s, nil, path, pipeline.DefaultBatchPolicy())
		if err != nil || read != int64(n) || written != int64(n) {
			b.Fatalf("read %d, written %d of %d: %v", read, written, n, err)
		}
	}
}

const benchRows = 50000

func BenchmarkGroups(b *testing.B) {
	p, size := benchFile(b, "id,name,activatedDate,deactivatedDate", benchRows, func(i int) string {
		return fmt.Sprintf("%d,Group %d,01/04/2018,12/31/2999", i, i)
	})
	benchKind(b, groups, p, size, benchRows)
}

func BenchmarkTeamsExport(b *testing.B) {
	p, size := benchFile(b, "Team ID,Name,Activated Date,Deactivated Date,Parent Group ID,Productivity Compilation", benchRows,
		func(i int) string { return fmt.Sprintf("%d,Team %d,8/17/2016,12/31/2999,Group %d,FALSE", i, i, i%50) })
	benchKind(b, teams, p, size, benchRows)
}

func BenchmarkPersons(b *testing.B) {
	p, size := benchFile(b, strings.Join(persons.keys(), ","), benchRows, func(i int) string {
		return fmt.Sprintf("%d,agent%d@example.com,First%d,Last%d,America/Chicago,EX\\agent%d,Team %d,01/04/2018,12/31/2999,en,"+
			"Agent;Supervisor,Group 1,Team 1;Team 2,True,View A,View A,01/04/2018,,01/04/2018,E%d,2,QM,False,FALSE,%d,1",
			i, i, i, i, i, i%50, i, 1000+i)
	})
	benchKind(b, persons, p, size, benchRows)
}
