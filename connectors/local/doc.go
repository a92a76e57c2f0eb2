// Package local is the default sink: a Parquet lake in a local directory
// (see connectors/internal/lake for the layout and the commit protocol).
package local
