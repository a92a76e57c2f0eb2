//go:build !race

package livevox

const raceEnabled = false
