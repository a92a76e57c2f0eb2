package schedule

import "time"

// Trigger says why a run started.
type Trigger string

// Triggers.
const (
	TriggerSchedule Trigger = "schedule" // a tick, on time
	TriggerCatchup  Trigger = "catchup"  // a tick missed during downtime, within the catch-up window
	TriggerManual   Trigger = "manual"   // asked for (ccetl serve trigger)
	TriggerBackfill Trigger = "backfill" // a window of ccetl backfill
)

// Run is one run the scheduler starts.
type Run struct {
	Job     string
	Trigger Trigger
	// Tick is the scheduled time the run is for (the time asked, for a
	// manual run).
	Tick time.Time
	// Delayed is set when the run waited for the job's previous run
	// (overlap policy buffer_one).
	Delayed bool
}

// EventKind names a scheduler decision.
type EventKind string

// Event kinds.
const (
	EventStarted  EventKind = "started"  // a run started
	EventFinished EventKind = "finished" // a run returned
	EventSkipped  EventKind = "skipped"  // a tick was not run: Reason says why
	EventDelayed  EventKind = "delayed"  // a tick waits for the running run (buffer_one)
	EventMissed   EventKind = "missed"   // Count ticks from First to Tick passed while no scheduler ran and are not run
)

// Reasons a tick is skipped.
const (
	ReasonOverlap = "overlap: the previous run is still running"
	ReasonBuffer  = "overlap: a run already waits for the previous one"
	ReasonPaused  = "paused"
	// ReasonStopping: the scheduler was stopping (the server shutting
	// down) when the run would have started.
	ReasonStopping = "the server was stopping"
)

// Event is one scheduler decision, for the log, the run history and the
// metrics.
type Event struct {
	Kind    EventKind
	Job     string
	Trigger Trigger
	Tick    time.Time
	// First and Count describe missed ticks: Count ticks from First to
	// Tick.
	First  time.Time
	Count  int
	Reason string
	At     time.Time
}
