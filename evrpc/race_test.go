//go:build race

package evrpc_test

// raceEnabled is whether the race detector is on: it changes allocation
// counts (sync.Pool drops items at random under it).
const raceEnabled = true
