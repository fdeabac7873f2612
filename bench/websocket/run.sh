#!/usr/bin/env bash
# Side-by-side WebSocket echo benchmark (issue 7): goevent's evhttp.Upgrade
# on one loop against gorilla/websocket and coder/websocket on net/http and
# nbio's websocket. Each server runs alone on CPU 1 (GOMAXPROCS 1); one load
# client (client/, the same for every server) runs on CPU 0 with N
# connections doing ping-pong of binary messages, checking every echo byte
# for byte. Figures: messages/s and server CPU µs per message.
# See README.md beside this file.
#
# Usage: bash websocket/run.sh [-quick] [-rounds R] [-dur D] [-conns N]
#                              [-servers LIST] [-t LIST] [-out DIR] [-profile]
#   -quick        smoke run: 1 round, 2 s runs
#   -rounds R     rounds (default 6); each runs every server once per test,
#                 in reversed order every other round (A B, B A, ...)
#   -dur D        how long the client sends, as a Go duration (default 4s,
#                 so that 6 rounds of 8 runs stay within about 6 minutes)
#   -conns N      client connections (default 64)
#   -servers LIST comma-separated (default goevent,gorilla,coder,nbio)
#   -t LIST       comma-separated tests (default small,large): small sends
#                 64-byte messages, large 16 KiB ones
#   -out DIR      keep the raw per-run output in DIR
#   -profile      write each server's CPU profile to DIR as TEST_SERVER_ROUND.prof
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash websocket/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=64 out="" profile=0
servers="goevent,gorilla,coder,nbio" list="small,large"
. "$module/internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-servers) servers=$2; shift ;;
	-t) list=$2; shift ;;
	-profile) profile=1 ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}"
else
	: "${rounds:=6}" "${dur:=4s}"
fi
bench_list progs server "$servers" goevent gorilla coder nbio
bench_list tests test "$list" small large
bench_whole "$rounds" "$conns"

# size TEST: the message size of a test.
size() {
	case $1 in small) echo 64 ;; large) echo 16384 ;; esac
}

bench_need taskset:util-linux
bench_setup
if [ "$conns" -gt $((hard - 100)) ]; then
	echo "run.sh: -conns $conns does not fit the fd limit $hard" >&2
	exit 2
fi
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent gorilla coder nbio client report; do
	(cd "$module" && go build -o "$tmp/$p" "./websocket/$p")
done

spid="" failed=0

# start NAME ROUND TEST: starts the server on a fresh port and checks its
# echo and close handshake with the client's -check. Sets spid and addr.
start() {
	local name=$1 round=$2 t=$3 cmd=("$tmp/$1")
	bench_port
	addr=127.0.0.1:$port
	cmd+=(-addr "$addr")
	[ $profile = 1 ] && cmd+=(-cpuprofile "$raw/${t}_${name}_$round.prof")
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	if ! "$tmp/client" -addr "$addr" -check -wait 10s >"$tmp/check.out" 2>"$tmp/fail"; then
		return 1
	fi
	[ -f "$raw/check_$name.txt" ] || cp "$tmp/check.out" "$raw/check_$name.txt"
	# The line each server prints at start: GOMAXPROCS and its CPUs.
	[ -f "$raw/process_$name.txt" ] || cp "$tmp/srv.out" "$raw/process_$name.txt"
}

stop() {
	bench_stop "$spid"
	spid=""
}

# loadrun TEST NAME ROUND: one client run against the running server.
loadrun() {
	local t=$1 name=$2 round=$3
	bench_measure "$spid" "${clipin[@]}" "$tmp/client" -addr "$addr" -conns "$conns" -size "$(size "$t")" -dur "$dur" \
		>"$tmp/client.out" 2>"$tmp/fail" || return 1
	echo "$(cat "$tmp/client.out") cpu_ticks=$bench_ticks hz=$hz" >"$raw/${t}_${name}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3
	start "$name" "$round" "$t" && loadrun "$t" "$name" "$round" || bench_failed "$t $name (round $round)"
	stop
}

bench_rounds "${progs[@]}"

echo
echo "WebSocket echo servers side by side: median of $rounds rounds (min–max). Each server alone on"
echo "${srvpin[*]:-no pinning} (GOMAXPROCS from the affinity mask), the load client on ${clipin[*]:-no pinning}. Loopback."
echo "$(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3)."
echo
"$tmp/report" -cmd "$cmdline" -conns "$conns" -dur "$dur" -summary "$raw/summary.tsv" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
