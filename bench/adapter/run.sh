#!/usr/bin/env bash
# Side-by-side benchmark of evhttp's HandlerAdapter (issue 7): one
# http.Handler (bench/adapter/internal/api: GET /json encodes a ~100-byte
# document with encoding/json, GET /hello answers plain text) served by
# goevent's evhttp.HandlerAdapter on one loop and by net/http's own
# http.Server. Each server runs alone on CPU 1 (GOMAXPROCS 1), wrk on CPU 0.
# Figures: requests/s, server CPU µs per request, p50/p99 latency.
# See README.md beside this file.
#
# Usage: bash adapter/run.sh [-quick] [-rounds R] [-dur D] [-conns C]
#                            [-servers LIST] [-t LIST] [-out DIR] [-profile]
#   -quick        smoke run: 1 round, 2 s wrk runs
#   -rounds R     rounds (default 6); each runs every server once per test,
#                 in reversed order every other round (A B, B A, ...)
#   -dur D        wrk duration (default 5s)
#   -conns C      wrk connections (default 64)
#   -servers LIST comma-separated (default goevent,nethttp)
#   -t LIST       comma-separated tests (default json,hello)
#   -out DIR      keep the raw per-run output in DIR
#   -profile      write each server's CPU profile to DIR as TEST_SERVER_ROUND.prof
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash adapter/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=64 out="" profile=0
servers="goevent,nethttp" list="json,hello"
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
	: "${rounds:=6}" "${dur:=5s}"
fi
bench_list progs server "$servers" goevent nethttp
bench_list tests test "$list" json hello
bench_whole "$rounds" "$conns"

bench_need wrk:wrk taskset:util-linux
bench_setup
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent nethttp check report; do
	(cd "$module" && go build -o "$tmp/$p" "./adapter/$p")
done

spid="" failed=0

# start NAME: starts the server on a fresh port and checks its replies
# against the handler's own. Sets spid and addr.
start() {
	local name=$1 round=$2 t=$3 cmd=("$tmp/$1")
	bench_port
	addr=127.0.0.1:$port
	cmd+=(-addr "$addr")
	[ $profile = 1 ] && cmd+=(-cpuprofile "$raw/${t}_${name}_$round.prof")
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	if ! "$tmp/check" -addr "$addr" -wait 10s >"$tmp/check.out" 2>"$tmp/fail"; then
		return 1
	fi
	[ -f "$raw/reply_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_$name.txt"
	# The line each server prints at start: GOMAXPROCS, CPUs, adapter pool.
	[ -f "$raw/process_$name.txt" ] || cp "$tmp/srv.out" "$raw/process_$name.txt"
}

stop() {
	bench_stop "$spid"
	spid=""
}

# wrkrun TEST NAME ROUND: one wrk run against the running server.
wrkrun() {
	local t=$1 name=$2 round=$3
	bench_measure "$spid" "${clipin[@]}" wrk -t1 -c"$conns" -d"$dur" --latency "http://$addr/$t" \
		>"$raw/${t}_${name}_$round.wrk" 2>"$tmp/fail" || return 1
	echo "cpu_ticks=$bench_ticks hz=$hz" >"$raw/${t}_${name}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3
	start "$name" "$round" "$t" && wrkrun "$t" "$name" "$round" || bench_failed "$t $name (round $round)"
	stop
}

bench_rounds "${progs[@]}"

echo
echo "net/http handler served by evhttp's HandlerAdapter and by net/http: median of $rounds rounds (min–max)."
echo "Each server alone on ${srvpin[*]:-no pinning} (GOMAXPROCS from the affinity mask), wrk on ${clipin[*]:-no pinning}. Loopback."
echo "$(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
echo
"$tmp/report" -cmd "$cmdline" -conns "$conns" -dur "$dur" -summary "$raw/summary.tsv" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
