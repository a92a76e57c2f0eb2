package lake

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Granularity is how finely a table's files are partitioned by the record's
// own date.
type Granularity string

const (
	Day   Granularity = "day"   // dt=2024-05-01
	Month Granularity = "month" // month=2024-05
	Year  Granularity = "year"  // year=2024
	None  Granularity = "none"  // no partition folders
)

// DefaultPartition is the Hive name of the partition of rows whose date is
// null.
const DefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// ParseGranularity reads a granularity name; "" means day.
func ParseGranularity(s string) (Granularity, error) {
	switch Granularity(s) {
	case "", Day:
		return Day, nil
	case Month, Year, None:
		return Granularity(s), nil
	}
	return "", fmt.Errorf("partition granularity %q: want day, month, year or none", s)
}

const msPerDay = 86400000

// dayOf returns, for row i of col, the UTC day number since the epoch, or
// false when the value is null. col is a date32 or a timestamp column.
type dayFunc func(i int) (int32, bool)

func dayReader(col arrow.Array) (dayFunc, error) {
	switch c := col.(type) {
	case *array.Date32:
		return func(i int) (int32, bool) {
			if c.IsNull(i) {
				return 0, false
			}
			return int32(c.Value(i)), true
		}, nil
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		div := int64(msPerDay) * int64(time.Millisecond) / int64(unit.Multiplier())
		return func(i int) (int32, bool) {
			if c.IsNull(i) {
				return 0, false
			}
			v := int64(c.Value(i))
			d := v / div
			if v%div < 0 {
				d--
			}
			return int32(d), true
		}, nil
	}
	return nil, fmt.Errorf("partition column must be a date32 or timestamp, not %s", col.DataType())
}

// partitionName renders the Hive folder name of a day at a granularity.
func partitionName(g Granularity, day int32, ok bool) string {
	if g == None {
		return ""
	}
	key := map[Granularity]string{Day: "dt", Month: "month", Year: "year"}[g]
	if !ok {
		return key + "=" + DefaultPartition
	}
	t := time.Unix(int64(day)*86400, 0).UTC()
	switch g {
	case Month:
		return fmt.Sprintf("%s=%04d-%02d", key, t.Year(), t.Month())
	case Year:
		return fmt.Sprintf("%s=%04d", key, t.Year())
	}
	return fmt.Sprintf("%s=%s", key, t.Format("2006-01-02"))
}

// run is a contiguous range of rows [start, end) in one partition.
type run struct {
	start, end int
	part       string
}

// splitRuns cuts a column's rows into runs of the same partition. Input that
// is sorted or grouped by date gives few runs.
func splitRuns(col arrow.Array, g Granularity) ([]run, error) {
	n := col.Len()
	if g == None || n == 0 {
		return []run{{0, n, ""}}, nil
	}
	day, err := dayReader(col)
	if err != nil {
		return nil, err
	}
	var runs []run
	prevDay, prevOK := int32(0), false
	for i := 0; i < n; i++ {
		d, ok := day(i)
		if i > 0 && ok == prevOK && (!ok || sameBucket(g, d, prevDay)) {
			runs[len(runs)-1].end = i + 1
			continue
		}
		runs = append(runs, run{i, i + 1, partitionName(g, d, ok)})
		prevDay, prevOK = d, ok
	}
	return runs, nil
}

func sameBucket(g Granularity, a, b int32) bool {
	if a == b {
		return true
	}
	if g == Day {
		return false
	}
	ta, tb := time.Unix(int64(a)*86400, 0).UTC(), time.Unix(int64(b)*86400, 0).UTC()
	if g == Year {
		return ta.Year() == tb.Year()
	}
	return ta.Year() == tb.Year() && ta.Month() == tb.Month()
}
