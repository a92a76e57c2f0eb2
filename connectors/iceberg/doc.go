// Package iceberg writes ccetl tables as Apache Iceberg tables (format
// version 2) through a catalog: SQLite in a file (the default, no server),
// PostgreSQL, or an Iceberg REST catalog (Polaris, Lakekeeper, Nessie, AWS
// Glue, S3 Tables) authenticated with OAuth2 client credentials, a bearer
// token or AWS SigV4. The warehouse is a local directory (iceberg:///dir)
// or an S3 prefix (iceberg+s3://bucket/prefix); with a REST catalog the
// catalog places the tables and the warehouse holds the content files.
//
// # Tables
//
// Every ccetl table becomes <namespace>.<table> with the same columns; field
// ids are given when the table is created and kept. A dated table is
// partitioned by day(<partition column>). A column added to a ccetl table is
// added to the Iceberg table when a run opens it; a column whose type
// changed fails the run before anything is written, naming the column.
//
// # Commits
//
// Data files are written as batches arrive, under the table's data folder,
// and listed by no snapshot until the commit. They are encoded by the
// Parquet lake's writer (lake.Files: the same encodings, zstd, row group
// and memory bounds), one set per input and day, with the Iceberg field
// ids; each file is then read back by its footer for the statistics and
// the partition value its manifest entry records (one day per file, so the
// value is exact). Each commit (Close, or a
// Checkpoint of an API pull) makes one new snapshot per table, swapped in
// by one catalog transaction, so a reader sees the table before or after
// it, never between. A failed commit removes the files it wrote; a killed
// process leaves files no snapshot lists (invisible; removable by orphan
// file cleanup). Commits of different tables are separate: one catalog
// commit per table.
//
// Each snapshot's summary carries the run (ccetl.run-id, ccetl.run-key,
// ccetl.kind), the inputs complete at the commit (ccetl.inputs), whether it
// is the run's last commit (ccetl.final), the source's cursors that hold
// once it is committed (ccetl.cursors), and the rejects file of the commit
// (ccetl.rejects, ccetl.rejected-rows). Rejects are JSON lines, as in the
// Parquet lake, written under <table>/rejects/ before the commit that names
// them; the table property ccetl.rejects.<run key> names the last one.
//
// # Write modes
//
//   - append adds the run's rows.
//   - replace (the default) also removes the data files an earlier run
//     wrote for the same inputs, in the same snapshot: data file names
//     begin their write id with the input key (pipeline.Batch.OutputKey:
//     the input's, or its group's when a source reads many files as one),
//     so the commit finds them. The files of inputs this run committed at an
//     earlier checkpoint are kept, compacted meanwhile or not.
//   - merge removes every earlier row whose key the run wrote again:
//     copy-on-write. Files that may hold such a key (pruned by partition
//     and column bounds) are read, the matching rows dropped, and the rest
//     written to new files; the new snapshot swaps them in with the run's
//     rows. Copy-on-write keeps tables readable by every engine without
//     delete files and keeps reads fast; its cost is rewriting the touched
//     files, which for windowed pulls are mostly the recent days' files.
//     With an order column (an updated_at-like timestamp, date or integer)
//     a key keeps its newest version: a stored row newer than the run's
//     stays and the run's rows of that key go; a key written twice in one
//     commit keeps its newest row (the run's own files are rewritten).
//     Without one, the run's rows are the newest version of their keys.
//
// # Maintenance
//
// Compact (ccetl lake compact) rewrites each partition's small data files
// into files near a target size, in one snapshot per table (operation
// replace, ccetl.operation=compact) that carries the run properties of the
// snapshot it was made on, so the last snapshot still says how far the
// data goes. In replace mode files are merged per input, so a rerun of an
// input still finds its rows; append and merge tables merge across inputs.
// The rewrite is pinned to the snapshot it read: if another writer commits
// first, it is staged again on the new snapshot without the groups whose
// files changed (their new files are deleted). A run that committed an
// input keeps every file of it at its later commits, so a compaction
// between two checkpoints loses nothing. Partitions with delete files are
// left alone.
//
// Expire (ccetl lake expire) drops snapshots past an age, keeping the
// current one and the newest N, then deletes the data files, manifests
// and manifest lists that only the dropped snapshots listed, under the
// table's location. It never lists directories, so files a run has
// written and not yet committed stay. Snapshots lists a table's snapshots
// with their runs and counts (ccetl inspect).
package iceberg
