//go:build !race

package core

// raceEnabled scales heavy tests down under the race detector.
const raceEnabled = false
