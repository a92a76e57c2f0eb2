// Package pipeline holds the contracts every ccetl stage implements and the
// runner that connects them.
//
// A Source yields Arrow record batches, one table per batch, until it returns
// ErrEndOfInput. Zero or more Transforms map a batch to a batch. A Sink takes
// batches and makes them visible only when Close succeeds; Abort discards
// everything it was given. Rows that cannot be decoded travel beside the
// batches as Rejects, so every row read is accounted for: the runner checks
// rows_in = rows_out + rows_rejected + rows_merged for every table and fails
// the run if it does not hold.
//
// Ownership: the stage that creates an arrow.RecordBatch owns it. The runner
// releases every batch after the sink's Write returns; a Transform releases
// its input when it returns a new record, and a Sink that keeps data past
// Write must Retain it.
//
// This package imports nothing else from the module.
package pipeline
