package pipeline

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// TableStats are one table's counts for a run.
type TableStats struct {
	RowsIn       int64 `json:"rows_in"`
	RowsOut      int64 `json:"rows_out"`
	RowsRejected int64 `json:"rows_rejected"`
	RowsMerged   int64 `json:"rows_merged"`
}

// Balanced reports whether every row read was written, rejected or merged.
func (s TableStats) Balanced() bool {
	return s.RowsIn == s.RowsOut+s.RowsRejected+s.RowsMerged
}

// Counters are the live counts of a run, safe for concurrent use. A progress
// reporter reads them while the run goes on.
type Counters struct {
	BytesRead    atomic.Int64
	RowsIn       atomic.Int64
	RowsOut      atomic.Int64
	RowsRejected atomic.Int64

	mu     sync.Mutex
	tables map[string]*TableStats
}

func (c *Counters) table(name string) *TableStats {
	if c.tables == nil {
		c.tables = map[string]*TableStats{}
	}
	t := c.tables[name]
	if t == nil {
		t = &TableStats{}
		c.tables[name] = t
	}
	return t
}

// addRead records rows a source accounted for.
func (c *Counters) addRead(table string, in, rejected, merged int64) {
	c.mu.Lock()
	t := c.table(table)
	t.RowsIn += in
	t.RowsRejected += rejected
	t.RowsMerged += merged
	c.mu.Unlock()
	c.RowsIn.Add(in)
	c.RowsRejected.Add(rejected)
}

// addWritten records rows handed to the sink.
func (c *Counters) addWritten(table string, n int64) {
	c.mu.Lock()
	c.table(table).RowsOut += n
	c.mu.Unlock()
	c.RowsOut.Add(n)
}

// Tables returns a copy of the per-table counts.
func (c *Counters) Tables() map[string]TableStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]TableStats, len(c.tables))
	for k, v := range c.tables {
		out[k] = *v
	}
	return out
}

// Reconcile checks rows_in = rows_out + rows_rejected + rows_merged for every
// table, with rows_out taken from what the sink committed.
func Reconcile(stats map[string]TableStats, committed CommitResult) error {
	names := make([]string, 0, len(stats))
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := stats[n]
		if !s.Balanced() {
			return fmt.Errorf("table %s does not reconcile: rows_in %d != rows_out %d + rows_rejected %d + rows_merged %d",
				n, s.RowsIn, s.RowsOut, s.RowsRejected, s.RowsMerged)
		}
		if c, ok := committed.Tables[n]; ok && c.Rows != s.RowsOut {
			return fmt.Errorf("table %s: sink committed %d rows but %d were written to it", n, c.Rows, s.RowsOut)
		}
		if _, ok := committed.Tables[n]; !ok && s.RowsOut > 0 && committed.Tables != nil {
			return fmt.Errorf("table %s: %d rows written but nothing committed", n, s.RowsOut)
		}
	}
	return nil
}
