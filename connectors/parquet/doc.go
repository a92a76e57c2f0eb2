// Package parquet is the parquet source kind: it reads tables of a lake
// (ccetl's or any Hive-partitioned Parquet folder) from a local directory
// or s3://, so a table pulled from one vendor or prepared in a warehouse
// can be pushed to another, re-partitioned, converted or copied to S3.
//
// Inputs are a lake root (a folder holding table folders; the tables
// option picks some), a table folder, Parquet files, or globs of them.
// Staging, rejects, state, manifests and media folders are never read. A
// file's table is the folder above its partition folders (k=v); the table
// option names it instead. Every file of a table must have the same
// schema: a file whose columns differ fails the run, naming the file and
// the column.
//
// The where option filters partitions before any file is opened: clauses
// such as dt >= 2024-05-01, dt between 2024-05-01 and 2024-05-31 or
// month = 2024-05, joined by and, compare a file's partition value as text
// (ISO dates and months compare as they should). A file without the key,
// or in the null partition (__HIVE_DEFAULT_PARTITION__), does not match.
//
// A table read from folders (a lake root, table folders, S3 prefixes) is
// one output, named by the table, the folders and the where filter
// (pipeline.Batch.Group): sinks write each partition's rows into few large
// files, not a set per file read, and a rerun replaces the whole copy,
// even after files were added to the table. Files named one by one (or by
// a glob) and every file under only_new stay inputs of their own, so that
// a run never replaces another run's rows; rejects and push results name
// the file and row either way.
//
// Files are read one row group batch at a time (the job's batch size), S3
// objects with ranged reads at the ETag they were listed with, so memory
// stays bounded whatever the table's size. Rows are never rejected:
// Parquet rows are typed already; a file that cannot be read fails the run
// with its name.
package parquet
