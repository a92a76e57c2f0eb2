package jobs

import (
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// Job is a parsed job file.
type Job struct {
	File     string
	Name     string
	Schedule string
	// TimeZone, Jitter, Overlap and CatchupWindow say how `ccetl serve`
	// runs the schedule (see package jobs/schedule).
	TimeZone      string
	Jitter        time.Duration
	Overlap       string
	CatchupWindow time.Duration
	Sources       []SourceSpec
	Transforms    []TransformSpec
	Sink          SinkSpec
	Batch         pipeline.BatchPolicy
	Rejects       pipeline.RejectLimit
	State         string // where job state is kept: a directory or s3:// URL ("" = default)
	// OnError says what a failing source does to the job: OnErrorContinue
	// (the default) runs the other sources anyway, OnErrorStop skips them.
	OnError string
	// Target, when set, makes this a push job: its sources' rows are
	// written into a vendor API, and the sink receives the push results.
	Target *TargetSpec
}

// What a failing source does to the rest of the job (on_error).
const (
	OnErrorContinue = "continue"
	OnErrorStop     = "stop"
)

// SourceSpec is one source of a job.
type SourceSpec struct {
	Kind   string
	Inputs []string
	// OnlyNew takes only the remote objects not processed before (by URL
	// and ETag), using the job state.
	OnlyNew bool
	Options map[string]string
	Pos     Pos
	// OptionsPos is where the options mapping starts; OptionPos where each
	// option's key is (for messages).
	OptionsPos Pos
	OptionPos  map[string]Pos
}

// TransformSpec is one transform step: its name and arguments.
type TransformSpec struct {
	Name string
	Args map[string]string
	List []string
	Pos  Pos
}

// SinkSpec is where a job writes.
type SinkSpec struct {
	URL        string
	Options    map[string]string
	Pos        Pos
	OptionsPos Pos
	OptionPos  map[string]Pos
}

// Pos is a position in a job file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + itoa(p.Line) + ":" + itoa(p.Col)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
