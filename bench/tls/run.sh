#!/usr/bin/env bash
# TLS benchmark: goevent's ssl package (TLS bufferevents on one loop)
# against crypto/tls on net.Conn (a goroutine per connection). See
# README.md beside this file.
#
#   handshake  full handshakes (TLS 1.3, ECDSA P-256, no resumption) from a
#              crypto/tls client with 16 concurrent connections: handshakes/s
#              and server CPU µs per handshake
#   bulk       one connection, the server writing 256 KiB at a time: MB/s
#              and server CPU µs per MB
#   gobench    the ssl package's Go benchmarks (ssl/bench_test.go), both
#              ends in one process: µs/op, MB/s, B/op, allocs/op
#
# Servers run alone pinned to CPU 1, the client on CPU 0; server CPU is the
# server's utime+stime from /proc over the client's run. Every round runs
# each server once per test, in reversed order every other round (A B, B A).
#
# Usage: bash tls/run.sh [-quick] [-rounds R] [-dur D] [-conns C]
#                        [-benchtime T] [-t LIST] [-out DIR]
#   -quick        1 round, 2 s runs, -benchtime 200ms (about a minute)
#   -rounds R     rounds (default 4)
#   -dur D        client run length (default 5s)
#   -conns C      concurrent handshakes (default 16)
#   -benchtime T  go test -benchtime in gobench (default 1s)
#   -t LIST       comma-separated tests (default handshake,bulk,gobench)
#   -out DIR      keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
root=$(dirname "$module") # the goevent module, home of ./ssl
cmdline="cd bench && bash tls/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=16 benchtime="" out="" list="handshake,bulk,gobench"
. "$here/../internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-benchtime) benchtime=$2; shift ;;
	-t) list=$2; shift ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}" "${benchtime:=200ms}"
else
	: "${rounds:=4}" "${dur:=5s}" "${benchtime:=1s}"
fi
IFS=, read -r -a tests <<<"$list"
for t in "${tests[@]}"; do
	case $t in
	handshake | bulk | gobench) ;;
	*) echo "run.sh: unknown test $t" >&2; exit 2 ;;
	esac
done

bench_need
bench_setup
raw=${out:-$tmp/raw}
mkdir -p "$raw"

# --- build (into $tmp: binaries never land in the tree) -----------------------
for p in certgen goevent gotls client report; do
	(cd "$module" && go build -o "$tmp/$p" "./tls/$p")
done
(cd "$root" && go test -c -o "$tmp/ssl.test" ./ssl)
"$tmp/certgen" -cert "$tmp/cert.pem" -key "$tmp/key.pem"

servers=(goevent gotls)
failed=0

# serve NAME TEST ROUND: one server, one client run against it.
serve() {
	local name=$1 t=$2 round=$3 spid addr="" rc=0
	bench_port
	"${srvpin[@]}" "$tmp/$name" -addr "127.0.0.1:$port" -mode "$t" \
		-cert "$tmp/cert.pem" -key "$tmp/key.pem" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	bench_wait "$spid" 5 listening || true # up to 5 s for the listening line
	if [ -z "$addr" ]; then
		echo "server did not start" >"$tmp/cli.err"
		rc=1
	else
		bench_measure "$spid" "${clipin[@]}" "$tmp/client" -addr "$addr" -mode "$t" -ca "$tmp/cert.pem" \
			-conns "$conns" -dur "$dur" >"$tmp/cli.out" 2>"$tmp/cli.err" || rc=$?
	fi
	bench_stop "$spid"
	if [ $rc != 0 ]; then
		echo "run.sh: $name $t (round $round) failed:" >&2
		cat "$tmp/cli.out" "$tmp/cli.err" "$tmp/srv.err" >&2 || true
		failed=1
		return 0
	fi
	echo "$(cat "$tmp/cli.out") hz=$hz server_ticks=$bench_ticks" >"$raw/${t}_${name}_$round.txt"
}

# listening: sets addr to the address the server prints once it listens;
# fails while it has printed none.
listening() {
	addr=$(head -n 1 "$tmp/srv.out" 2>/dev/null || true)
	[ -n "$addr" ]
}

# gobench ROUND: one run of the ssl package's benchmarks, in the ssl
# directory (its tests find their testdata there).
gobench() {
	if ! (cd "$root/ssl" && GOMAXPROCS=1 "${srvpin[@]}" "$tmp/ssl.test" -test.run '^$' \
		-test.bench '^(BenchmarkHandshake|BenchmarkThroughput)$' -test.benchmem \
		-test.benchtime "$benchtime" -test.count 1) >"$raw/gobench_$1.txt" 2>"$tmp/err"; then
		echo "run.sh: gobench round $1 failed:" >&2
		cat "$tmp/err" "$raw/gobench_$1.txt" >&2
		rm -f "$raw/gobench_$1.txt"
		failed=1
	fi
}

for round in $(seq 1 "$rounds"); do
	bench_order "$round" "${servers[@]}"
	echo "run.sh: round $round of $rounds: ${order[*]}" >&2
	for t in "${tests[@]}"; do
		if [ "$t" = gobench ]; then
			gobench "$round"
			continue
		fi
		for s in "${order[@]}"; do serve "$s" "$t" "$round"; done
	done
done

echo
echo "TLS: goevent ssl (one loop) against crypto/tls on net.Conn (a goroutine per connection): median of $rounds"
echo "rounds (min–max). Servers alone on ${srvpin[*]:-no pinning} (GOMAXPROCS from the affinity mask); the crypto/tls client on"
echo "${clipin[*]:-no pinning}, $dur per run, $conns concurrent handshakes; gobench: the ssl package's benchmarks,"
echo "-benchtime $benchtime, the whole process on ${srvpin[*]:-no pinning} with GOMAXPROCS=1. Loopback. Self-signed ECDSA P-256"
echo "certificate, default tls.Config (TLS 1.3). $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3)."
echo
"$tmp/report" -cmd "$cmdline" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
