package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// profileFlags are the --cpuprofile, --memprofile and --trace flags of the
// commands that move data, for finding where a run's time and memory go.
type profileFlags struct {
	cpu, mem, trace *string
}

func addProfileFlags(fs *flag.FlagSet) profileFlags {
	return profileFlags{
		cpu:   fs.String("cpuprofile", "", "write a CPU profile to this file"),
		mem:   fs.String("memprofile", "", "write a heap profile, taken when the live heap was largest, to this file"),
		trace: fs.String("trace", "", "write an execution trace (go tool trace) to this file"),
	}
}

// start begins the profiles the flags ask for; stop ends them and writes
// the files.
func (p profileFlags) start() (stop func() error, err error) {
	var stops []func() error
	stop = func() error {
		var errs []error
		for _, s := range stops {
			errs = append(errs, s())
		}
		return errors.Join(errs...)
	}
	for _, w := range []struct {
		path, what  string
		start       func(io.Writer) error
		stopWriting func()
	}{
		{*p.cpu, "cpu profile", pprof.StartCPUProfile, pprof.StopCPUProfile},
		{*p.trace, "trace", trace.Start, trace.Stop},
	} {
		if w.path == "" {
			continue
		}
		f, err := os.Create(w.path)
		if err == nil {
			if err = w.start(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			stop()
			return nil, fmt.Errorf("%s: %w", w.what, err)
		}
		stops = append(stops, func() error { w.stopWriting(); return f.Close() })
	}
	if *p.mem != "" {
		watch := watchHeap()
		path := *p.mem
		stops = append(stops, func() error { return os.WriteFile(path, watch(), 0o644) })
	}
	return stop, nil
}

// watchHeap samples the live heap after each garbage collection and keeps
// the heap profile of the largest one. The returned stop ends the watch and
// returns that profile.
func watchHeap() (stop func() []byte) {
	done := make(chan struct{})
	finished := make(chan []byte)
	go func() {
		sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var best []byte
		var peak uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		take := func() {
			rtmetrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak || best == nil {
				var buf bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&buf, 0) == nil {
					peak, best = v, buf.Bytes()
				}
			}
		}
		for {
			select {
			case <-tick.C:
				take()
			case <-done:
				take()
				finished <- best
				return
			}
		}
	}()
	return func() []byte {
		close(done)
		return <-finished
	}
}
