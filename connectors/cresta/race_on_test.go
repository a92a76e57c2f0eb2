//go:build race

package cresta

// raceDetector is set when the tests run with -race, which slows them and
// makes them stall unevenly: the limit tests skip their timing assertions.
const raceDetector = true
