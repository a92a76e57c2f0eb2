//go:build race

package livevox

// raceEnabled: the race detector slows every request several times over,
// so wall-clock bounds are not judged under it.
const raceEnabled = true
