//go:build !race

package evrpc_test

// raceEnabled is whether the race detector is on.
const raceEnabled = false
