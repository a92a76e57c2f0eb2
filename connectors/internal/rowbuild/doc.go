// Package rowbuild turns decoded rows into Arrow record batches of one typed
// schema, two-phase: a decoder stages every value of a row (Set*), then
// either commits the row (every column appended at once) or discards it when
// a value was bad. A rejected row therefore never leaves a column half
// appended. Batcher adds the bookkeeping every decoder shares: rows read,
// rejects with their positions, and cutting batches by the batch policy.
package rowbuild
