package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
)

// ErrEndOfInput is returned by Source.Next when the source has no more
// batches. It is not a failure.
var ErrEndOfInput = errors.New("end of input")

// Batch is one step of a source's output: rows of one table, the rows of that
// table it could not decode, or both.
//
// RowsRead counts the input rows this batch accounts for (written, rejected
// or merged). Rec may be nil when every row of the step was rejected.
type Batch struct {
	Table    string
	Rec      arrow.RecordBatch
	Rejects  []Reject
	RowsRead int64
	// Merged counts rows folded into an earlier row with the same key
	// (for example a coaching point repeated under several sessions).
	Merged int64
	// Input names the input the rows came from (a path or URL). Sinks derive
	// deterministic output names from it.
	Input string
	// Group, when set, names the output the rows belong to in place of
	// Input: a source that reads many files as one table (a lake table
	// being re-partitioned) groups them, so sinks write each partition's
	// rows into few large files rather than a set per input file, and a
	// rerun replaces the whole group's output. Input still says where the
	// rows came from (origins of rejects and pushes).
	Group string

	// Checkpoint marks the end of a complete unit of work, such as one API
	// window: everything the source emitted before it may be committed now
	// and Cursors saved, so a run that fails later keeps this progress. A
	// checkpoint batch carries no rows; its Input names the unit completed
	// (the same Input its rows carried) and Cursors are the positions that
	// hold once everything up to here is committed.
	Checkpoint bool
	Cursors    map[string]string
}

// OutputKey is the key sinks name the batch's output files by: the
// InputKey of its Group, or else of its Input.
func (b *Batch) OutputKey() string {
	if b.Group != "" {
		return InputKey(b.Group)
	}
	return InputKey(b.Input)
}

// Release releases the record, if any.
func (b *Batch) Release() {
	if b.Rec != nil {
		b.Rec.Release()
		b.Rec = nil
	}
}

// Source yields batches until it returns ErrEndOfInput. The caller owns every
// returned batch and releases it. Next is called from one goroutine.
type Source interface {
	Next(ctx context.Context) (Batch, error)
	// Tables lists the tables the source can produce, with their schemas.
	Tables() []Table
	Close() error
}

// Transform maps a batch to a batch. It may return the same record or a new
// one; when it returns a new record it releases the input record. Rows it
// drops must be returned as Rejects so the run still reconciles.
type Transform interface {
	Name() string
	// Table returns the table the transform makes of in, before any batch
	// flows, so sinks know every schema up front.
	Table(in Table) (Table, error)
	Apply(ctx context.Context, b Batch) (Batch, error)
}

// TransformTables applies transforms' Table to every table, in order.
func TransformTables(tables []Table, ts []Transform) ([]Table, error) {
	out := make([]Table, len(tables))
	for i, t := range tables {
		for _, tr := range ts {
			var err error
			if t, err = tr.Table(t); err != nil {
				return nil, fmt.Errorf("transform %s on table %s: %w", tr.Name(), t.Name, err)
			}
		}
		out[i] = t
	}
	return out, nil
}

// Sink takes batches and makes them visible only on a successful Close.
// Write does not take ownership of b.Rec: a sink that keeps the record past
// Write retains it. Write is called from one goroutine.
type Sink interface {
	Write(ctx context.Context, b Batch) error
	// Reject stores rejected rows next to the data; they become visible
	// with it.
	Reject(ctx context.Context, table string, rejects []Reject) error
	// Close commits everything written. RunInfo describes the run for the
	// manifests. After Close returns, the sink is done either way.
	Close(ctx context.Context, run RunInfo) (CommitResult, error)
	// Abort discards everything not yet committed. It is safe to call after
	// a failed Close and more than once.
	Abort(ctx context.Context) error
}

// Checkpointer is implemented by sinks that can commit part way: Checkpoint
// makes everything written so far visible, exactly as Close would, and the
// sink keeps taking batches. run.Inputs lists the inputs complete so far.
type Checkpointer interface {
	Checkpoint(ctx context.Context, run RunInfo) (CommitResult, error)
}

// Table is a named schema a source produces.
type Table struct {
	Name   string
	Schema *arrow.Schema
	// PartitionBy names a date32 or timestamp column whose day partitions the
	// table's files ("" for an unpartitioned table).
	PartitionBy string
	// Grain is the partition granularity the table's row rate suggests
	// (day, month or year; "" is day): a table of a few rows a day is
	// partitioned by month so that a window's rows make a few files, not
	// one per day. A sink's options override it.
	Grain string
	Doc   string
}

// InputInfo describes one input a source consumed.
type InputInfo struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
	// ETag identifies the version of a remote object (s3://).
	ETag string `json:"etag,omitempty"`
	// Group is the Batch.Group the input's rows were written under, if any.
	Group string `json:"group,omitempty"`
}

// OutputKey is the key of the output the input's rows were written under
// (Batch.OutputKey).
func (in InputInfo) OutputKey() string {
	if in.Group != "" {
		return InputKey(in.Group)
	}
	return InputKey(in.Name)
}

// InputReporter is implemented by sources that can describe their inputs
// after reading them.
type InputReporter interface {
	Inputs() []InputInfo
}

// Reporter is implemented by sources that have findings for the run report
// (for example recordings no contact references).
type Reporter interface {
	Report() map[string]any
}

// FileStore is given to sources that copy files (recordings, transcripts)
// next to the tables. A file put there becomes visible with the sink's
// commit.
type FileStore interface {
	PutFile(ctx context.Context, rel string, r FileReader) (FileRef, error)
}

// MediaKey is where a FileStore keeps the file a source names rel:
// media/<scope>/<rel> (scope "" for none), or an error when rel is empty or
// would leave that folder.
func MediaKey(scope, rel string) (string, error) {
	clean := path.Clean(rel)
	if clean == "." || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("media file name %q escapes the output", rel)
	}
	return path.Join("media", scope, clean), nil
}

// FileReader is what PutFile copies from.
type FileReader interface {
	Read(p []byte) (int, error)
}

// FileRef is where PutFile stored a file.
type FileRef struct {
	Path   string
	Bytes  int64
	SHA256 string
}

// FileStoreUser is implemented by sources that need a FileStore; the runner
// hands them the sink's store before the first Next.
type FileStoreUser interface {
	UseFileStore(FileStore)
}

// RunInfo describes a run to the sink's manifests.
type RunInfo struct {
	RunID  string
	Kind   string
	Inputs []InputInfo
	Tables []Table
	Stats  map[string]TableStats
	// Cursors are the source's positions once this commit holds: a
	// checkpoint's cursors, or at Close those the source reports
	// (CursorReporter); nil when it reports none. A sink that can store
	// them in the same atomic step as the data does.
	Cursors map[string]string
}

// CommitResult is what a sink made visible.
type CommitResult struct {
	Tables map[string]TableCommit `json:"tables"`
}

// TableCommit lists one table's committed output.
type TableCommit struct {
	Rows     int64        `json:"rows"`
	Files    []FileCommit `json:"files"`
	Manifest string       `json:"manifest,omitempty"`
	Rejects  []string     `json:"rejects,omitempty"`
}

// FileCommit is one committed data file.
type FileCommit struct {
	Path      string `json:"path"`
	Partition string `json:"partition,omitempty"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
}
