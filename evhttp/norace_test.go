//go:build !race

package evhttp

const raceEnabled = false
