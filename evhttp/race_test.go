//go:build race

package evhttp

const raceEnabled = true
