package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SourceConfig is what a source factory gets.
type SourceConfig struct {
	Kind    string
	Inputs  []string          // paths or URLs
	Options map[string]string // kind options, checked by the kind
	Policy  BatchPolicy
	Mem     memory.Allocator
	Counter *Counters
	Logger  *slog.Logger
	// Cursors are the source's saved positions from the job state (for
	// example the end of the last exported window); nil on a first run or
	// a one-shot conversion. A source that moves them implements
	// CursorReporter; the job commits the new cursors only after the sink
	// committed the data they describe.
	Cursors map[string]string
	// Now is the run's clock (tests fix it); zero means time.Now.
	Now time.Time
	// Remote reads inputs given as URLs, by scheme ("s3").
	Remote map[string]RemoteFiles
	// Skip, when set, leaves out input objects already processed at the
	// same ETag (a job's only_new). The source reports what it read through
	// InputReporter, and the job marks it processed after the commit.
	Skip func(url, etag string) bool
}

// CursorReporter is implemented by sources that advance cursors. Cursors
// is called after the last batch.
type CursorReporter interface {
	Cursors() map[string]string
}

// OpenedSource is a source plus the run key its inputs give.
type OpenedSource struct {
	Source
	RunKey string
}

// Option documents one option of a kind or sink. A Secret option's value is
// never printed; like every secret it may also be given as NAME_file, a path
// whose content is the value.
type Option struct {
	Name    string
	Default string
	Doc     string
	Secret  bool
}

// Kind is one registered source kind: a file format or a vendor API.
type Kind struct {
	Name    string
	Doc     string
	Tables  []Table
	Options []Option
	// Validate checks option values without opening anything (may be nil).
	Validate func(opts map[string]string) error
	Open     func(ctx context.Context, cfg SourceConfig) (OpenedSource, error)
}

// CheckOptions reports options the kind does not know, every one at once.
func (k Kind) CheckOptions(opts map[string]string) error {
	return checkOptions("kind "+k.Name, k.Options, opts)
}

// CheckOptions reports options the sink does not know, every one at once.
func (s SinkKind) CheckOptions(opts map[string]string) error {
	return checkOptions("sink", s.Options, opts)
}

func checkOptions(what string, docs []Option, opts map[string]string) error {
	known := map[string]bool{}
	for _, o := range docs {
		known[o.Name] = true
	}
	var bad []string
	for name := range opts {
		if !known[name] {
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	names := make([]string, 0, len(docs))
	for _, o := range docs {
		names = append(names, o.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: unknown option(s) %s (it takes none)", what, strings.Join(bad, ", "))
	}
	return fmt.Errorf("%s: unknown option(s) %s (known: %s)", what, strings.Join(bad, ", "), strings.Join(names, ", "))
}

// SinkConfig is what a sink factory gets.
type SinkConfig struct {
	URL     string // a directory, or a URL such as s3://bucket/prefix
	Tables  []Table
	RunKey  string
	Options map[string]string
	Logger  *slog.Logger
	// Step names the job step the run writes for (the job and its
	// source); a sink that stores cursors with its data records it with
	// them, for Resume.
	Step string
}

// SinkKind is one registered sink, chosen by URL scheme ("" for a local
// directory).
type SinkKind struct {
	Scheme  string
	Doc     string
	Options []Option
	// Validate checks option values without opening anything (may be nil).
	Validate func(opts map[string]string) error
	Open     func(ctx context.Context, cfg SinkConfig) (Sink, error)
	// Check verifies what the sink wrote at cfg.URL (ccetl lake check) and
	// returns every problem it finds; nil for sinks that cannot be checked.
	Check func(ctx context.Context, cfg SinkConfig) (LakeCheck, error)
	// Compact rewrites the small data files of each partition into larger
	// ones (ccetl lake compact); nil for sinks without compaction.
	Compact func(ctx context.Context, cfg SinkConfig, opts CompactOptions) (CompactResult, error)
	// Expire drops old snapshots and the files only they referenced
	// (ccetl lake expire); nil for sinks without snapshots.
	Expire func(ctx context.Context, cfg SinkConfig, opts ExpireOptions) (ExpireResult, error)
	// Snapshots lists each table's snapshots (ccetl inspect); nil for
	// sinks without snapshots.
	Snapshots func(ctx context.Context, cfg SinkConfig, table string) ([]TableSnapshots, error)
	// Resume returns the cursors of the sink's last commit for a job step
	// (SinkConfig.Step) and the run that made it; ok is false when it
	// holds none. A sink that stores cursors in the same atomic step as its
	// data has it (Iceberg: the snapshot summary), so a run resumes from
	// what the data holds even when the job state, saved after the data,
	// lags behind it (a run killed between the two). Nil for other sinks.
	Resume func(ctx context.Context, cfg SinkConfig, step string) (c Committed, ok bool, err error)
}

// Committed is what a sink's last commit for a job step says of it.
type Committed struct {
	RunID   string
	At      time.Time // when the commit was made, by the committing machine's clock
	Cursors map[string]string
}

// CompactOptions are what ccetl lake compact asks for.
type CompactOptions struct {
	Table           string // one table; "" for every table
	TargetFileBytes int64  // files below it are small; rewritten files aim at it
}

// CompactResult is what a compaction did, table by table.
type CompactResult struct {
	Tables []TableCompaction `json:"tables"`
}

// TableCompaction is one table's compaction.
type TableCompaction struct {
	Table        string   `json:"table"`
	Snapshot     int64    `json:"snapshot,omitempty"` // the compaction snapshot; 0 when nothing was rewritten
	Partitions   int      `json:"partitions"`         // partitions rewritten
	FilesRemoved int      `json:"files_removed"`
	FilesAdded   int      `json:"files_added"`
	Rows         int64    `json:"rows"` // rows rewritten
	BytesBefore  int64    `json:"bytes_before"`
	BytesAfter   int64    `json:"bytes_after"`
	Skipped      []string `json:"skipped,omitempty"` // what was left alone, and why
}

// ExpireOptions are what ccetl lake expire asks for.
type ExpireOptions struct {
	Table      string        // one table; "" for every table
	OlderThan  time.Duration // snapshots older than this may go
	RetainLast int           // the newest snapshots kept whatever their age (at least 1)
}

// ExpireResult is what an expiry removed, table by table.
type ExpireResult struct {
	Tables []TableExpiry `json:"tables"`
}

// TableExpiry is one table's expiry.
type TableExpiry struct {
	Table            string `json:"table"`
	SnapshotsExpired int    `json:"snapshots_expired"`
	SnapshotsKept    int    `json:"snapshots_kept"`
	DataFilesDeleted int    `json:"data_files_deleted"`
	MetaFilesDeleted int    `json:"metadata_files_deleted"` // manifests and manifest lists
}

// TableSnapshots lists one table's snapshots, oldest first.
type TableSnapshots struct {
	Table     string         `json:"table"`
	Location  string         `json:"location"`
	Snapshots []SnapshotInfo `json:"snapshots"`
}

// SnapshotInfo is one snapshot of a table, from its summary.
type SnapshotInfo struct {
	ID           int64     `json:"id"`
	Parent       int64     `json:"parent,omitempty"`
	Time         time.Time `json:"time"`
	Operation    string    `json:"operation"`             // append, overwrite, replace, delete
	Maintenance  string    `json:"maintenance,omitempty"` // compact for a compaction
	RunID        string    `json:"run_id,omitempty"`
	RunKey       string    `json:"run_key,omitempty"`
	Kind         string    `json:"kind,omitempty"`
	Final        bool      `json:"final"`
	AddedRows    int64     `json:"added_rows"`
	DeletedRows  int64     `json:"deleted_rows"`
	AddedFiles   int64     `json:"added_files"`
	DeletedFiles int64     `json:"deleted_files"`
	TotalRows    int64     `json:"total_rows"`
	TotalFiles   int64     `json:"total_files"`
	Current      bool      `json:"current"`
}

// LakeCheck is what checking a lake found.
type LakeCheck struct {
	Tables    int           `json:"tables"`
	Manifests int           `json:"manifests"`
	Files     int           `json:"files"`
	Rows      int64         `json:"rows"`
	Problems  []LakeProblem `json:"problems"`
}

// LakeProblem is one way a lake is not as its manifests say.
type LakeProblem struct {
	Table    string `json:"table,omitempty"`
	File     string `json:"file,omitempty"`
	Manifest string `json:"manifest,omitempty"`
	Problem  string `json:"problem"`
}

// Registry lists the kinds and sinks a command can use. It is filled
// explicitly (connectors/all), never by init side effects, so tests build
// one holding only what they need.
type Registry struct {
	kinds   map[string]Kind
	sinks   map[string]SinkKind
	remotes map[string]RemoteFiles
	targets map[string]TargetKind
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry {
	return &Registry{kinds: map[string]Kind{}, sinks: map[string]SinkKind{}, remotes: map[string]RemoteFiles{},
		targets: map[string]TargetKind{}}
}

// AddKind registers a kind; a duplicate name panics (a programming error).
func (r *Registry) AddKind(k Kind) {
	if _, dup := r.kinds[k.Name]; dup {
		panic("pipeline: kind registered twice: " + k.Name)
	}
	r.kinds[k.Name] = k
}

// AddSink registers a sink for a URL scheme.
func (r *Registry) AddSink(s SinkKind) {
	if _, dup := r.sinks[s.Scheme]; dup {
		panic("pipeline: sink registered twice: " + s.Scheme)
	}
	r.sinks[s.Scheme] = s
}

// AddTarget registers a push target; a duplicate name panics.
func (r *Registry) AddTarget(t TargetKind) {
	if _, dup := r.targets[t.Name]; dup {
		panic("pipeline: target registered twice: " + t.Name)
	}
	r.targets[t.Name] = t
}

// Target finds a push target by name.
func (r *Registry) Target(name string) (TargetKind, error) {
	t, ok := r.targets[name]
	if !ok {
		return TargetKind{}, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(r.TargetNames(), ", "))
	}
	return t, nil
}

// TargetNames lists push target names in order.
func (r *Registry) TargetNames() []string {
	out := make([]string, 0, len(r.targets))
	for n := range r.targets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AddRemote registers how to read inputs given as scheme:// URLs.
func (r *Registry) AddRemote(scheme string, f RemoteFiles) { r.remotes[scheme] = f }

// Remotes returns the registered remote input readers by scheme.
func (r *Registry) Remotes() map[string]RemoteFiles { return r.remotes }

// Kind finds a kind by name.
func (r *Registry) Kind(name string) (Kind, error) {
	k, ok := r.kinds[name]
	if !ok {
		return Kind{}, fmt.Errorf("unknown kind %q (known: %s)", name, strings.Join(r.KindNames(), ", "))
	}
	return k, nil
}

// KindNames lists kind names in order.
func (r *Registry) KindNames() []string {
	out := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Sink finds the sink for a URL by its scheme.
func (r *Registry) Sink(url string) (SinkKind, error) {
	scheme := ""
	if i := strings.Index(url, "://"); i > 0 {
		scheme = url[:i]
	}
	s, ok := r.sinks[scheme]
	if !ok {
		if scheme == "" {
			return SinkKind{}, fmt.Errorf("no sink for local directories is registered")
		}
		return SinkKind{}, fmt.Errorf("no sink for %s:// URLs", scheme)
	}
	return s, nil
}

// BytesCounter is where a source adds the input bytes it read (progress);
// nil when the run keeps no counters.
func (c SourceConfig) BytesCounter() *atomic.Int64 {
	if c.Counter == nil {
		return nil
	}
	return &c.Counter.BytesRead
}
