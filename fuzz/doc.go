// Package fuzz holds the Go fuzz targets that span packages: arbitrary
// bytes driven end to end, over loopback sockets and a core.Base, through
// the evhttp client, the evrpc server and the evdns server and resolver,
// where each package's own targets fuzz one parser alone.
//
//   - FuzzPoolResponse: an upstream's arbitrary answer read by the evhttp
//     client through a Pool.
//   - FuzzRPCRequest: an arbitrary client byte stream to an evrpc server.
//   - FuzzServerPortTCP: an arbitrary DNS-over-TCP stream to an evdns
//     ServerPort answering from a small zone.
//   - FuzzResolverReply: a fuzzed nameserver reply, over UDP and TCP,
//     through an evdns Resolver's exchange path.
//
// Each target checks its own properties (the request ends exactly once,
// the connection closes, only documented errors, nothing left on the
// Base) with a bound on every input and no sleeps. regress_test.go replays
// what the targets found. The package has no API.
//
// Every fuzz target of the module, these included, runs for a few seconds
// in .ci/run and for longer with
//
//	fuzz/run [-time 60s] [-match REGEX] [-parallel N]
package fuzz
