//go:build !race

package cresta

const raceDetector = false
