//go:build race

package ssl

const raceEnabled = true
