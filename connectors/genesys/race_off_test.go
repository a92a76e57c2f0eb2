//go:build !race

package genesys

const raceDetector = false
