//go:build race

package filters_test

const raceEnabled = true
