//go:build race

package bufferevent

const raceEnabled = true
