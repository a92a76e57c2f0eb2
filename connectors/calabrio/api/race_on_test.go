//go:build race

package api

// raceEnabled skips timing assertions: under the race detector the sink's
// Parquet writes, not the rate limit, set the pace.
const raceEnabled = true
