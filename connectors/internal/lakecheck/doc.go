// Package lakecheck is test support shared by every kind's tests: it runs a
// kind end to end into a local lake (the same runner and sink the command
// uses) and reads every Parquet file back with an independent reader,
// github.com/xitongsys/parquet-go, so a test compares what a warehouse would
// see with the input.
package lakecheck
