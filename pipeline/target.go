package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// A push job writes records into a vendor's API (a target) instead of, or
// besides, a lake. It runs in two phases, as Terraform does:
//
//  1. Plan: the job's sources and transforms produce Records; the target
//     reads its current state where its API allows, validates every record
//     and says, per record, what it would do (a Change). Nothing is written.
//  2. Apply: the target carries out exactly the plan's changes, in batches
//     (one upload or request each), and reports the outcome of every change
//     of a batch once the batch is acknowledged (a BatchResult).
//
// The machinery around a target (jobs) keeps a ledger of what earlier runs
// acknowledged, so a rerun or a resumed run sends nothing twice, and writes
// every change's outcome as a row of the push_results table.

// Actions a plan's change may carry.
const (
	ActionCreate    = "create"    // the record is new to the target
	ActionUpdate    = "update"    // the record exists and some fields differ (Change.Fields)
	ActionUnchanged = "unchanged" // the record exists and equals the target's: nothing is sent
	ActionDelete    = "delete"    // the target holds a record the input lacks (only when asked)
	ActionSend      = "send"      // sent as is: the target's state cannot be read to tell create from update
	ActionSkip      = "skip"      // acknowledged by an earlier run (the ledger): nothing is sent
	ActionInvalid   = "invalid"   // refused before anything is sent (Change.Reason)
)

// Statuses of a change once applied: the status column of push_results.
const (
	StatusCreated   = "created"
	StatusUpdated   = "updated"
	StatusDeleted   = "deleted"
	StatusUnchanged = "unchanged"
	StatusSkipped   = "skipped"
	StatusSent      = "sent" // accepted in an upload whose answer has no per-record result
	StatusFailed    = "failed"
)

// FieldType is the type of a target field, as records carry it.
type FieldType string

// Field types and the Go values a Record holds for them (nil is null).
const (
	TypeString    FieldType = "string"    // string
	TypeInt       FieldType = "int"       // int64
	TypeFloat     FieldType = "float"     // float64
	TypeBool      FieldType = "bool"      // bool
	TypeDate      FieldType = "date"      // time.Time at 00:00 UTC
	TypeTimestamp FieldType = "timestamp" // time.Time in UTC
	TypeList      FieldType = "list"      // []string
	TypeMap       FieldType = "map"       // map[string]string
)

// Field is one field of a target entity.
type Field struct {
	Name     string    `json:"name"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required,omitempty"`
	// MaxLen bounds a string's length in characters (0: unbounded).
	MaxLen int      `json:"max_len,omitempty"`
	Enum   []string `json:"enum,omitempty"`
	Doc    string   `json:"doc,omitempty"`
}

// Entity is one kind of record a target writes, such as Calabrio's groups,
// teams and persons. A target writes its entities in the order listed.
type Entity struct {
	Name string `json:"name"`
	Doc  string `json:"doc,omitempty"`
	// Table is the ccetl table whose rows are this entity's records when a
	// job maps nothing else onto it (the pull kinds' table of the same
	// data, so a pulled table pushes back as it is).
	Table  string  `json:"table"`
	Fields []Field `json:"fields"`
	// Key names the fields that identify a record, in the order they are
	// tried.
	Key []string `json:"key"`
}

// Record is one row to push, with its fields by name.
type Record struct {
	Entity string
	Values map[string]any
	// Origin says where the row came from: file:line, a lake file and row,
	// or a request and index.
	Origin string
}

// FieldChange is one field an update changes.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Change is what a plan does with one record (or, for deletes, with one
// record the target holds).
type Change struct {
	// Seq numbers the plan's changes from 0 in the order Apply sends them.
	Seq      int           `json:"seq"`
	Entity   string        `json:"entity"`
	Key      string        `json:"key"`
	Action   string        `json:"action"`
	TargetID string        `json:"target_id,omitempty"`
	Fields   []FieldChange `json:"fields,omitempty"`
	// Wire is what the target will send for the record, in the target's own
	// terms (CSV cells by column, JSON values): Apply sends exactly this.
	Wire Wire `json:"wire,omitzero"`
	// Hash identifies the record's content (the ledger compares it).
	Hash   string `json:"hash,omitempty"`
	Origin string `json:"origin,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Plan is every change a push would make. Plans are saved as JSON
// (`ccetl plan -o`) and applied later (`ccetl apply`).
type Plan struct {
	Version   int       `json:"version"`
	Job       string    `json:"job"`
	Target    string    `json:"target"`
	CreatedAt time.Time `json:"created_at"`
	// State fingerprints the target's state the plan was made against, per
	// entity (empty for entities whose state cannot be read). Applying a
	// saved plan plans again and refuses it when anything differs: the
	// target's state, the input or the ledger.
	State   map[string]string `json:"state,omitempty"`
	Changes []Change          `json:"changes"`
	Inputs  []InputInfo       `json:"inputs,omitempty"`
}

// PlanVersion is the version of the plan file format.
const PlanVersion = 1

// Counts returns how many changes carry each action.
func (p *Plan) Counts() map[string]int {
	out := map[string]int{}
	for _, c := range p.Changes {
		out[c.Action]++
	}
	return out
}

// Outcome is what became of one change.
type Outcome struct {
	Seq      int    `json:"seq"`
	Status   string `json:"status"`
	TargetID string `json:"target_id,omitempty"`
	// Code and Message are the target's own error code and message for a
	// failed change.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// BatchResult is the target's answer to one acknowledged batch: one
// Outcome per change it carried, the request that carried it and the
// response body (kept in the run report; never a secret).
type BatchResult struct {
	Entity    string    `json:"entity"`
	Request   string    `json:"request"`
	RequestID string    `json:"request_id,omitempty"`
	Response  string    `json:"response,omitempty"`
	Outcomes  []Outcome `json:"outcomes"`
}

// LedgerEntry is what the ledger remembers of one record a push sent.
type LedgerEntry struct {
	Hash     string `json:"hash"`
	TargetID string `json:"target_id,omitempty"`
	RunID    string `json:"run_id"`
	// Pending marks a record whose batch was being sent when its run
	// stopped: the target may or may not have it.
	Pending bool `json:"pending,omitempty"`
}

// Ledger is the job's memory of the records earlier pushes sent, by
// entity and key. Targets whose state cannot be read (a contact import
// that imports a re-sent contact again) consult it to send nothing twice.
type Ledger interface {
	Lookup(entity, key string) (LedgerEntry, bool)
}

// Journal records a push's progress as Apply goes. Begin is called before
// a batch is sent, Ack once the target acknowledged it; an error from
// either stops Apply. Batches are acknowledged in the order they began; a
// target may begin the next batch before it acknowledges the one in
// flight.
type Journal interface {
	Begin(ctx context.Context, entity string, changes []Change) error
	Ack(ctx context.Context, r BatchResult) error
}

// RepeatableJournal is a Journal that can begin a batch whose resend
// cannot duplicate anything (an upsert that replaces what it sent) without
// first recording its keys as pending: a push stopped while such a batch
// is in flight sends it again whether or not they were recorded, so the
// record is one durable write saved per batch. Ack records the batch as
// for Begin.
type RepeatableJournal interface {
	Journal
	BeginRepeatable(ctx context.Context, entity string, changes []Change) error
}

// Target writes records into a vendor API. Its methods are called from one
// goroutine.
type Target interface {
	// Plan reads the target's current state where the API allows and
	// returns a change for every record (in input order within each
	// entity, entities in the kind's order), plus deletes where asked.
	// Records the ledger holds with the same hash become ActionSkip where
	// the target cannot tell by its state.
	Plan(ctx context.Context, recs []Record, ledger Ledger) (*Plan, error)
	// Apply sends the plan's changes that write, in Seq order, in batches,
	// calling j.Begin before and j.Ack after each batch. A batch the
	// target refused as a whole is acknowledged with every change failed
	// and the target's message. Apply returns an error only when it cannot
	// go on (an outage, a spent retry budget, the journal's error); the
	// batches acknowledged before stay done. A write is retried only where
	// the retry cannot duplicate it. A RecordPlanner's Apply may be called
	// once per window of a streamed push (see RecordPlanner), each plan
	// holding the next changes, whose Seq go on from the window before.
	Apply(ctx context.Context, p *Plan, j Journal) error
	Close() error
}

// RecordPlanner is a Target that plans every record on its own, as the
// sources read it: a target whose state cannot be read, so a record's
// change depends only on the record, the ledger and the records before it.
// A push then holds changes instead of records, and plans while the
// sources decode. Its plan is the one Plan would make of the same records.
//
// A push may also apply such a target's changes in windows while the
// sources are still read: Apply is then called with each window's changes
// in turn, so that planning overlaps the uploads and a push holds a
// window's changes at a time instead of the whole plan. A batch never
// spans two windows.
type RecordPlanner interface {
	Target
	PlanRecords(ledger Ledger) RecordPlan
}

// WindowCutter is a RecordPlanner that says where a window of a streamed
// push should end, so that windows cut no batch the whole plan would have
// sent as one (an upload per day). CutWindow gets changes planned and not
// yet applied, in Seq order, and returns how many of them to apply now,
// those before the last batch among them (which may go on after them),
// or 0 when they may all be one batch; the rest begin the next window.
type WindowCutter interface {
	RecordPlanner
	CutWindow(changes []Change) int
}

// RecordPlan plans records one at a time in two steps: Prepare checks and
// writes a record (safe to call from several goroutines at once), Judge
// then decides its change from what Prepare returned, from one goroutine,
// with each entity's records in input order. Judge leaves Change.Seq to
// the caller. Prepare must not keep the record's Values, whose map the
// caller reuses for the next record; Judge gets the record without them.
type RecordPlan interface {
	Prepare(Record) any
	Judge(Record, any) Change
}

// WindowEnd returns how many of a streamed push's changes planned and not
// yet applied (pending, in Seq order) to apply now as one window of about
// size: none until size wait; then size, or for a WindowCutter the changes
// before its last cut within the first size, 2*size or 4*size (so that a
// batch longer than a window still goes whole); a batch longer than four
// windows is cut at four.
func WindowEnd(t Target, pending []Change, size int) int {
	if len(pending) < size {
		return 0
	}
	wc, ok := t.(WindowCutter)
	if !ok {
		return size
	}
	for k := size; ; k *= 2 {
		k = min(k, len(pending), 4*size)
		if n := wc.CutWindow(pending[:k]); n > 0 {
			return n
		}
		switch k {
		case 4 * size:
			return k
		case len(pending):
			return 0 // the last batch may go on: wait for more
		}
	}
}

// TargetConfig is what a target factory gets.
type TargetConfig struct {
	Kind    string
	Options map[string]string
	Logger  *slog.Logger
	// Now is the run's clock (tests fix it); zero means time.Now.
	Now time.Time
	// Files opens a file a source stored next to its rows (a recording
	// under media/), by the path its row names.
	Files func(rel string) (io.ReadCloser, error)
	// Remote reaches URLs by scheme (s3://); those that are RemoteWriters
	// can take a target's files (a drop folder on S3).
	Remote map[string]RemoteFiles
}

// TargetKind is one registered push target.
type TargetKind struct {
	Name     string
	Doc      string
	Entities []Entity
	// PlansRecords says the kind's targets are RecordPlanners, before one
	// is opened: a push then reads its sources in batches of a window at
	// most, to start sending sooner (the conformance suite checks it).
	PlansRecords bool
	Options      []Option
	// Validate checks option values without opening anything (may be nil).
	Validate func(opts map[string]string) error
	Open     func(ctx context.Context, cfg TargetConfig) (Target, error)
}

// CheckOptions reports options the target does not know, every one at once.
func (k TargetKind) CheckOptions(opts map[string]string) error {
	return checkOptions("target "+k.Name, k.Options, opts)
}

// Entity finds one of the kind's entities by name.
func (k TargetKind) Entity(name string) (Entity, error) {
	for _, e := range k.Entities {
		if e.Name == name {
			return e, nil
		}
	}
	names := make([]string, len(k.Entities))
	for i, e := range k.Entities {
		names[i] = e.Name
	}
	return Entity{}, fmt.Errorf("target %s has no entity %q (it has %v)", k.Name, name, names)
}
