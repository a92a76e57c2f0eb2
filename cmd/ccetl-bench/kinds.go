package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccetl/ccetl/connectors/calabrio/contact"
	"github.com/ccetl/ccetl/pipeline"
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
	// duckdb are the statements that write the rows of inputs into out
	// (the first one's rows are checked) and the other tables ccetl writes
	// beside it (outside out, which is measured).
	duckdb func(inputs []string, out string) []string
	// same, if set, names the outputs that must hold the same rows, as
	// pairs of Parquet globs (ccetl's, DuckDB's) under the two engines' out
	// folders: the bench checks them row by row after the pairs.
	same func(ccetlOut, duckdbOut string) [][2]string
	// lakeOnly kinds take lake sink options, which an Iceberg table does
	// not: -iceberg leaves them out.
	lakeOnly bool
	// named kinds run only when named, not with -kind all.
	named bool
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

// contactsKind converts the bulk contact CSV and its recordings; DuckDB
// writes ccetl's two tables, checked row by row.
var contactsKind = benchKind{
	name: "contacts", table: "cal_contact_import_row",
	prepare:   func(ctx context.Context, b *bench) ([]string, int64, error) { return b.contacts() },
	ccetlArgs: func(in []string) []string { return append([]string{"--kind", "bulk-contact"}, in...) },
	duckdb:    contactsSQL,
	same: func(c, d string) [][2]string {
		return [][2]string{
			{filepath.Join(c, "cal_contact_import_row", "*", "*.parquet"), filepath.Join(d, "*", "*.parquet")},
			{filepath.Join(c, "cal_contact_import_recording", "*.parquet"), d + "-recordings.parquet"},
		}
	},
}

var kinds = []benchKind{
	whitKind,
	contactsKind,
	func() benchKind {
		// The same conversion against a DuckDB statement that writes only
		// the input's columns (none of the columns ccetl derives).
		k := contactsKind
		k.name, k.duckdb, k.same, k.named = "contacts-input", contactsInputSQL, nil, true
		return k
	}(),
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
		var all []benchKind
		for _, k := range kinds {
			if !k.named {
				all = append(all, k)
			}
		}
		return all, nil
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

// contacts generates the bulk contact CSV and its recordings once, for
// both contact kinds.
func (b *bench) contacts() ([]string, int64, error) {
	in := filepath.Join(b.work, "contacts.csv")
	media := filepath.Join(b.work, "contacts-media")
	if b.contactBytes == 0 {
		size, err := generateContacts(in, media, b.rows)
		if err != nil {
			return nil, 0, err
		}
		b.contactBytes = size
	}
	return []string{in, media}, b.contactBytes, nil
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
// same columns with the same types. Compression is zstd at level 3 on both
// sides (the defaults of each). The custom fields' map is spelled out case
// by case: DuckDB builds it about twice as fast that way as by filtering a
// list of entries.

func whitSQL(in []string, out string) []string {
	return []string{fmt.Sprintf(`COPY (
  SELECT *, ("date" + CAST(period AS TIME)) AT TIME ZONE 'UTC' AS interval_start, "date" AS dt
  FROM read_csv(%s, header = true, auto_detect = false, columns = {
    'serviceNumber': 'BIGINT', 'serviceName': 'VARCHAR', 'date': 'DATE', 'period': 'VARCHAR',
    'receivedCalls': 'BIGINT', 'handledCalls': 'BIGINT', 'abandonedCalls': 'BIGINT',
    'avgTalkTime': 'DOUBLE', 'avgACWTime': 'DOUBLE', 'ASA': 'DOUBLE', 'serviceLevel': 'BIGINT',
    'occupancyRatio': 'BIGINT', 'qtyOfAgents': 'BIGINT', 'contactsInQueue': 'BIGINT', 'transferredCalls': 'BIGINT'})
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`, sqlString(in[0]), sqlString(out))}
}

// contactsCSV reads the bulk contact CSV with ccetl's types.
func contactsCSV(in string) string {
	return fmt.Sprintf(`read_csv(%s, header = true, auto_detect = false, columns = {
    'AgentId': 'VARCHAR', 'ContactStartTimeMs': 'BIGINT', 'TimeZone': 'VARCHAR', 'AssocCallId': 'VARCHAR',
    'CallId': 'VARCHAR', 'CalledAddress': 'VARCHAR', 'CallingAddress': 'VARCHAR', 'Line': 'VARCHAR',
    'Direction': 'BIGINT', 'Recording1': 'VARCHAR', 'Recording2': 'VARCHAR', 'Recording2Offset': 'BIGINT',
    'metadata.accountNumber': 'VARCHAR', 'metadata.queue': 'VARCHAR'})`, sqlString(in))
}

// contactsMetadata is the contacts' custom fields as one map.
const contactsMetadata = `CASE WHEN "metadata.accountNumber" IS NULL AND "metadata.queue" IS NULL THEN NULL
      WHEN "metadata.accountNumber" IS NULL THEN MAP {'queue': "metadata.queue"}
      WHEN "metadata.queue" IS NULL THEN MAP {'accountNumber': "metadata.accountNumber"}
      ELSE MAP {'accountNumber': "metadata.accountNumber", 'queue': "metadata.queue"} END`

// contactsSQL writes ccetl's two tables: cal_contact_import_row, every
// column with ccetl's values (the bench checks them row by row), and the
// recordings table beside out. The files differ in encoding only: DuckDB
// stores timestamps in microseconds (ccetl in milliseconds) and marks every
// column optional (ccetl marks the always-set ones required). The upload's
// ID is ccetl's; the recordings' sizes and sha256 come from reading them,
// looked up by name in a map (a join with the recordings loses the rows'
// order and takes DuckDB about twice as long). ccetl also copies the
// recordings it stores (200 files, 2.4 MB): DuckDB has no statement for
// that.
func contactsSQL(in []string, out string) []string {
	id, err := uploadID(in)
	if err != nil {
		id = "unknown" // the bench's output check then names every row
	}
	media := sqlString(filepath.Join(in[1], "*"))
	path := func(col string) string {
		return fmt.Sprintf("CASE WHEN %s IS NOT NULL THEN %s || %s END", col, sqlString("media/"+id+"/"), col)
	}
	rows := fmt.Sprintf(`COPY (
  SELECT %[1]s AS upload_id, %[2]s AS source_file,
    coalesce(CallId, 'h:' || left(sha256(AgentId || chr(0) || coalesce(CAST(ContactStartTimeMs AS VARCHAR), '')), 32)) AS contact_key,
    AgentId AS agent_id,
    CASE WHEN contains(AgentId, '\') THEN 'ad_login' WHEN contains(AgentId, '@') THEN 'email' ELSE 'person_id' END AS agent_id_format,
    epoch_ms(ContactStartTimeMs) AT TIME ZONE 'UTC' AS contact_start,
    TimeZone AS client_time_zone, AssocCallId AS assoc_call_id, CallId AS call_id, CalledAddress AS called_address,
    CallingAddress AS calling_address, Line AS line, Direction AS direction,
    Recording1 AS recording1, %[3]s AS recording1_path, r1.size AS recording1_bytes, r1.sha AS recording1_sha256,
    Recording2 AS recording2, %[4]s AS recording2_path, r2.size AS recording2_bytes, r2.sha AS recording2_sha256,
    Recording2Offset AS recording2_offset_ms,
    NULL::VARCHAR AS audio_location, NULL::VARCHAR AS audio_path, NULL::BIGINT AS audio_bytes, NULL::VARCHAR AS audio_sha256, NULL::TIMESTAMPTZ AS audio_start,
    NULL::VARCHAR AS screen_location, NULL::VARCHAR AS screen_path, NULL::BIGINT AS screen_bytes, NULL::VARCHAR AS screen_sha256, NULL::TIMESTAMPTZ AS screen_start,
    %[5]s AS metadata,
    CAST(epoch_ms(ContactStartTimeMs) AS DATE) AS dt
  FROM (SELECT *, m[Recording1] AS r1, m[Recording2] AS r2
    FROM %[6]s,
      (SELECT map_from_entries(list({k: parse_filename(filename), v: {size: size, sha: sha256(content)}})) AS m FROM read_blob(%[7]s)))
) TO %[8]s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`,
		sqlString(id), sqlString(filepath.Base(in[0])), path("Recording1"), path("Recording2"), contactsMetadata, contactsCSV(in[0]), media, sqlString(out))
	recs := fmt.Sprintf(`COPY (
  WITH used AS (SELECT r, count(*) AS contacts FROM (SELECT unnest([Recording1, Recording2]) AS r FROM %[1]s) WHERE r IS NOT NULL GROUP BY r)
  SELECT %[2]s AS upload_id, parse_filename(filename) AS name, parse_filename(filename) AS source_file, size AS bytes, sha256(content) AS sha256,
    CASE WHEN contacts IS NOT NULL THEN %[3]s || parse_filename(filename) END AS path,
    contacts IS NOT NULL AS referenced, coalesce(contacts, 0) AS contacts, 0::BIGINT AS rejected_contacts
  FROM read_blob(%[4]s) LEFT JOIN used ON r = parse_filename(filename)
) TO %[5]s (FORMAT parquet, COMPRESSION zstd)`, contactsCSV(in[0]), sqlString(id), sqlString("media/"+id+"/"), media, sqlString(out+"-recordings.parquet"))
	return []string{rows, recs}
}

// uploadID is ccetl's ID of the upload of inputs: the bulk-contact kind's
// run key, as ccetl opens it.
func uploadID(in []string) (string, error) {
	op, err := contact.Kind().Open(context.Background(), pipeline.SourceConfig{Kind: contact.KindName, Inputs: in})
	if err != nil {
		return "", err
	}
	defer op.Source.Close()
	return op.RunKey, nil
}

// contactsInputSQL writes the contact rows with only the input's columns.
func contactsInputSQL(in []string, out string) []string {
	return []string{fmt.Sprintf(`COPY (
  SELECT * EXCLUDE ("metadata.accountNumber", "metadata.queue")
      REPLACE (epoch_ms(ContactStartTimeMs) AT TIME ZONE 'UTC' AS ContactStartTimeMs),
    %s AS metadata,
    CAST(epoch_ms(ContactStartTimeMs) AS DATE) AS dt
  FROM %s
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`, contactsMetadata, contactsCSV(in[0]), sqlString(out))}
}

// parquetSQL reads the files only (hive_partitioning off: the dt folders
// are not a column of ccetl's table either) and writes them by month.
func parquetSQL(in []string, out string) []string {
	return []string{fmt.Sprintf(`COPY (
  SELECT *, strftime("date", '%%Y-%%m') AS month
  FROM read_parquet(%s, hive_partitioning = false)
) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month))`, sqlString(filepath.Join(in[0], "*", "*.parquet")), sqlString(out))}
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
