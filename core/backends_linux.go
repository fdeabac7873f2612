//go:build linux

package core

// backendTable lists Linux's backends in order of preference.
var backendTable = []backendInfo{
	{"epoll", newEpoll},
	{"poll", newPoll},
	{"select", newSelect},
}
