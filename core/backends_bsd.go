//go:build darwin || freebsd || netbsd || openbsd

package core

// backendTable lists the BSDs' backends (macOS included) in order of
// preference.
var backendTable = []backendInfo{
	{"kqueue", newKqueue},
	{"poll", newPoll},
	{"select", newSelect},
}
