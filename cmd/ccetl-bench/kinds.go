package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A benchKind is one conversion timed with both engines: ccetl's convert
// and a DuckDB COPY writing the same rows, zstd, into the same partitions.
type benchKind struct {
	name  string
	table string // the ccetl table whose files are measured
	// prepare makes the input in the work folder: the paths given to
	// ccetl convert and the input's size in bytes.
	prepare func(ctx context.Context, b *bench) (inputs []string, bytes int64, err error)
	// ccetlArgs are the convert arguments after --kind, --out and --json.
	ccetlArgs func(inputs []string) []string
	// duckdb is the statement that writes the rows of inputs into out.
	duckdb func(inputs []string, out string) string
	// lakeOnly kinds take lake sink options, which an Iceberg table does
	// not: -iceberg leaves them out.
	lakeOnly bool
}

var whitKind = benchKind{
	name: "whit", table: "cal_service_interval_history",
	prepare: func(ctx context.Context, b *bench) ([]string, int64, error) {
		in, size, err := b.whitCSV()
		return []string{in}, size, err
	},
	ccetlArgs: func(in []string) []string { return append([]string{"--kind", "whit"}, in...) },
	duckdb:    whitSQL,
}

var kinds = []benchKind{
	whitKind,
	{
		name: "contacts", table: "cal_contact_import_row",
		prepare: func(ctx context.Context, b *bench) ([]string, int64, error) {
			in := filepath.Join(b.work, "contacts.csv")
			media := filepath.Join(b.work, "contacts-media")
			size, err := generateContacts(in, media, b.rows)
			return []string{in, media}, size, err
		},
		ccetlArgs: func(in []string) []string { return append([]string{"--kind", "bulk-contact"}, in...) },
		duckdb:    contactsSQL,
	},
	{
		name: "parquet", table: "cal_service_interval_history", lakeOnly: true,
		prepare: func(ctx context.Context, b *bench) ([]string, int64, error) {
			return b.whitLake(ctx)
		},
		ccetlArgs: func(in []string) []string {
			return append([]string{"--kind", "parquet", "--sink-opt", "partition=month"}, in...)
		},
		duckdb: parquetSQL,
	},
}

func kindNames() []string {
	var n []string
	for _, k := range kinds {
		n = append(n, k.name)
	}
	return n
}

// selectKinds resolves the -kind flag: a name, a comma-separated list of
// names, or all.
func selectKinds(s string) ([]benchKind, error) {
	if s == "all" {
		return kinds, nil
	}
	var out []benchKind
	for _, name := range strings.Split(s, ",") {
		i := -1
		for j, k := range kinds {
			if k.name == strings.TrimSpace(name) {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("-kind %q: one of %s or all", name, strings.Join(kindNames(), ", "))
		}
		out = append(out, kinds[i])
	}
	return out, nil
}

// whitCSV generates the WHIT CSV once per work folder.
func (b *bench) whitCSV() (string, int64, error) {
	in := filepath.Join(b.work, "whit.csv")
	if b.whitBytes == 0 {
		size, err := generate(in, b.rows)
		if err != nil {
			return "", 0, err
		}
		b.whitBytes = size
	}
	return in, b.whitBytes, nil
}

// whitLake converts the WHIT CSV into a day-partitioned lake (not timed):
// the parquet kind's input. It returns the table folder and the size of
// its Parquet files.
func (b *bench) whitLake(ctx context.Context) ([]string, int64, error) {
	csv, _, err := b.whitCSV()
	if err != nil {
		return nil, 0, err
	}
	lake := filepath.Join(b.work, "lake")
	os.RemoveAll(lake)
	if _, err := b.runCcetl(ctx, whitKind, []string{csv}, lake); err != nil {
		return nil, 0, fmt.Errorf("make the parquet input: %w", err)
	}
	table := filepath.Join(lake, whitKind.table)
	st, err := scanOutput(table)
	if err != nil {
		return nil, 0, err
	}
	return []string{table}, st.bytes, nil
}

// The DuckDB statements read every column with the type ccetl gives it
// (auto-detection would read WHIT's period as a TIME and the contacts' ids
// as integers, and leave epoch milliseconds as integers), derive the
// columns ccetl derives (WHIT's interval_start, the contacts' start time as
// a UTC timestamp and their custom fields as one map), and add the
// partition key as a column DuckDB turns into the folder name without
// writing it into the files, as ccetl does. The files therefore hold the
// same columns with the same types, except the bookkeeping columns ccetl
// adds to contacts (upload_id, source_file, contact_key, agent_id_format
// and each recording's stored path, size and sha256) and the recordings
// ccetl copies: work DuckDB does not do. Compression is zstd at level 3 on
// both sides (the defaults of each). The custom fields' map is spelled out
// case by case: DuckDB builds it about twice as fast that way as by
// filtering a list of entries.

func whitSQL(in []string, out string) string {
	return fmt.Sprintf(`COPY (
  SELECT *, ("date" + CAST(period AS TIME)) AT TIME ZONE 'UTC' AS interval_start, "date" AS dt
  FROM read_csv(%s, header = true, auto_detect = false, columns = {
    'serviceNumber': 'BIGINT', 'serviceName': 'VARCHAR', 'date': 'DATE', 'period': 'VARCHAR',
    'receivedCalls': 'BIGINT', 'handledCalls': 'BIGINT', 'abandonedCalls': 'BIGINT',
    'avgTalkTime': 'DOUBLE', 'avgACWTime': 'DOUBLE', 'ASA': 'DOUBLE', 'serviceLevel': 'BIGINT',
    'occupancyRatio': 'BIGINT', 'qtyOfAgents': 'BIGINT', 'contactsInQueue': 'BIGINT', 'transferredCalls': 'BIGINT'})
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`, sqlString(in[0]), sqlString(out))
}

func contactsSQL(in []string, out string) string {
	return fmt.Sprintf(`COPY (
  SELECT * EXCLUDE ("metadata.accountNumber", "metadata.queue")
      REPLACE (epoch_ms(ContactStartTimeMs) AT TIME ZONE 'UTC' AS ContactStartTimeMs),
    CASE WHEN "metadata.accountNumber" IS NULL AND "metadata.queue" IS NULL THEN NULL
      WHEN "metadata.accountNumber" IS NULL THEN MAP {'queue': "metadata.queue"}
      WHEN "metadata.queue" IS NULL THEN MAP {'accountNumber': "metadata.accountNumber"}
      ELSE MAP {'accountNumber': "metadata.accountNumber", 'queue': "metadata.queue"} END AS metadata,
    CAST(epoch_ms(ContactStartTimeMs) AS DATE) AS dt
  FROM read_csv(%s, header = true, auto_detect = false, columns = {
    'AgentId': 'VARCHAR', 'ContactStartTimeMs': 'BIGINT', 'TimeZone': 'VARCHAR', 'AssocCallId': 'VARCHAR',
    'CallId': 'VARCHAR', 'CalledAddress': 'VARCHAR', 'CallingAddress': 'VARCHAR', 'Line': 'VARCHAR',
    'Direction': 'BIGINT', 'Recording1': 'VARCHAR', 'Recording2': 'VARCHAR', 'Recording2Offset': 'BIGINT',
    'metadata.accountNumber': 'VARCHAR', 'metadata.queue': 'VARCHAR'})
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`, sqlString(in[0]), sqlString(out))
}

// parquetSQL reads the files only (hive_partitioning off: the dt folders
// are not a column of ccetl's table either) and writes them by month.
func parquetSQL(in []string, out string) string {
	return fmt.Sprintf(`COPY (
  SELECT *, strftime("date", '%%Y-%%m') AS month
  FROM read_parquet(%s, hive_partitioning = false)
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month))`, sqlString(filepath.Join(in[0], "*", "*.parquet")), sqlString(out))
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
