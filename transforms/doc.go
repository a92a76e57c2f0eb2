// Package transforms holds the batch-to-batch steps a job can list:
// drop and rename columns. A column is named plainly (every table that has it)
// or as table.column. Each transform states its output schema up front
// (Table), so sinks know every schema before the first batch.
package transforms
