#!/usr/bin/env bash
# Side-by-side RPC benchmark (issue 10): calls per second and server CPU per
# call of goevent's evrpc (with libevent's one call per connection, and
# pipelined), Go's net/rpc and libevent's C evrpc, each server alone on
# CPU 1 and driven by its own client on CPU 0 with 1 and 64 calls
# outstanding. See README.md beside this file.
#
# Usage: bash rpc/run.sh [-quick] [-rounds R] [-dur S] [-servers LIST]
#                        [-t LIST] [-nocross] [-out DIR]
#   -quick         smoke run: 1 round, 2 s runs
#   -rounds R      rounds (default 6); each runs every subject once per test,
#                  in reversed order every other round (A B C, C B A, ...)
#   -dur S         seconds per run (default 5)
#   -servers LIST  subjects, comma-separated (default
#                  goevent,goevent-pipe,netrpc,libevent); goevent-pipe is
#                  the goevent server driven by the goevent client with
#                  -pipe 16, run only with more than one call outstanding
#   -t LIST        comma-separated tests: c1, c64 (default both)
#   -nocross       skip the cross-check of goevent's clients against the C
#                  server and the C client against goevent's server (one
#                  checked run of at most 3 s per pair and test)
#   -out DIR       keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash rpc/run.sh${*:+ $*}"

quick=0 rounds="" dur="" out="" cross=1
servers="goevent,goevent-pipe,netrpc,libevent" list="c1,c64"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-rounds) rounds=$2; shift ;;
	-dur) dur=$2; shift ;;
	-servers) servers=$2; shift ;;
	-t) list=$2; shift ;;
	-nocross) cross=0 ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2}"
else
	: "${rounds:=6}" "${dur:=5}"
fi
IFS=, read -r -a srvs <<<"$servers"
IFS=, read -r -a tests <<<"$list"
for p in "${srvs[@]}"; do
	case $p in goevent | goevent-pipe | netrpc | libevent) ;; *) echo "run.sh: unknown server $p" >&2; exit 2 ;; esac
done
for t in "${tests[@]}"; do
	case $t in c1 | c64) ;; *) echo "run.sh: unknown test $t" >&2; exit 2 ;; esac
done
for n in "$dur" "$rounds"; do
	case $n in '' | *[!0-9]*) echo "run.sh: want a whole number, got '$n'" >&2; exit 2 ;; esac
done
crossdur=$((dur < 3 ? dur : 3)) # the cross-checks are one short run each
# pipe: the calls goevent-pipe's client pipelines per connection: 64 calls
# outstanding go over 4 connections, 16 deep (README.md says why).
pipe=16

. "$here/../internal/sh/lib.sh"
bench_need cc:gcc pkg-config:libevent:libevent-dev
bench_setup # $tmp, the exit trap, srvpin/clipin, $hz, fds raised

# --- build (into $tmp: binaries never land in the tree) ------------------------
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent netrpc client report; do
	(cd "$module" && go build -o "$tmp/$p" "./rpc/$p")
done
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -O2 -o "$tmp/evrpc_bench" "$here/libevent/evrpc_bench.c" $(pkg-config --cflags --libs libevent)

spid="" # the server running now
failed=0

# waitport: waits until something accepts on 127.0.0.1:$port (10 s at most).
waitport() {
	local i
	for i in $(seq 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	echo "nothing listens on port $port" >"$tmp/fail"
	return 1
}

# start NAME: starts the server of subject NAME on 127.0.0.1:$port (fresh),
# pinned. Sets spid.
start() {
	local name=$1 cmd=()
	bench_port
	case $name in
	libevent) cmd=("$tmp/evrpc_bench" server "$port") ;;
	goevent-pipe) cmd=("$tmp/goevent" -addr "127.0.0.1:$port") ;;
	*) cmd=("$tmp/$name" -addr "127.0.0.1:$port") ;;
	esac
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	waitport
}

stop() {
	bench_stop "$spid"
	spid=""
}

# client IMPL C [DUR N]: runs the client IMPL (goevent, goevent-pipe, netrpc
# or libevent) against $port with C calls outstanding, for DUR seconds or
# exactly N calls, pinned; its line goes to $tmp/client.out.
client() {
	local impl=$1 c=$2 d=${3:-0} n=${4:-0} cmd=()
	case $impl in
	libevent) cmd=("$tmp/evrpc_bench" client "$port" "$c" "$d" "$n") ;;
	goevent-pipe) cmd=("$tmp/client" -impl goevent -pipe "$pipe" -addr "127.0.0.1:$port" -c "$c" -dur "${d}s" -n "$n") ;;
	*) cmd=("$tmp/client" -impl "$impl" -addr "127.0.0.1:$port" -c "$c" -dur "${d}s" -n "$n") ;;
	esac
	"${clipin[@]}" "${cmd[@]}" >"$tmp/client.out" 2>"$tmp/fail"
}

# check IMPL: 400 calls through the client IMPL, every reply checked.
check() {
	client "$1" 4 0 400 || return 1
}

# timed IMPL C FILE [DUR]: one timed run of DUR seconds (default -dur);
# FILE gets the client's line, hz and the server's CPU ticks over the run.
timed() {
	local impl=$1 c=$2 file=$3 d=${4:-$dur} before after
	before=$(bench_cputicks "$spid")
	client "$impl" "$c" "$d" || return 1
	after=$(bench_cputicks "$spid")
	echo "$(cat "$tmp/client.out") hz=$hz server_ticks=$((after - before))" >"$file"
}

# run TEST SERVER ROUND: the server with its own client.
run() {
	local t=$1 name=$2 round=$3 ok=1
	if start "$name" && check "$name"; then
		[ -f "$raw/check_$name.txt" ] || cp "$tmp/client.out" "$raw/check_$name.txt"
		timed "$name" "${t#c}" "$raw/run_${t}_${name}_$round.txt" || ok=0
	else
		ok=0
	fi
	if [ $ok = 0 ]; then
		echo "run.sh: $t $name (round $round) failed:" >&2
		cat "$tmp/fail" "$tmp/srv.err" >&2 || true
		failed=1
	fi
	stop
}

# crossrun TEST CLIENT SERVER: a client against the other system's server,
# checked, then timed once.
crossrun() {
	local t=$1 cli=$2 name=$3 ok=1
	if [ "$cli" = goevent-pipe ] && [ "$t" = c1 ]; then return 0; fi
	if start "$name" && check "$cli"; then
		timed "$cli" "${t#c}" "$raw/cross_${t}_${cli}-to-${name}_1.txt" "$crossdur" || ok=0
	else
		ok=0
	fi
	if [ $ok = 0 ]; then
		echo "run.sh: cross-check $t, $cli client against the $name server, failed:" >&2
		cat "$tmp/fail" "$tmp/srv.err" >&2 || true
		failed=1
	fi
	stop
}

# reversed LIST...: the arguments, last first.
reversed() {
	local i a=("$@")
	for ((i = ${#a[@]} - 1; i >= 0; i--)); do echo "${a[i]}"; done
}

for round in $(seq 1 "$rounds"); do
	for t in "${tests[@]}"; do
		order=("${srvs[@]}")
		if [ $((round % 2)) = 0 ]; then mapfile -t order < <(reversed "${order[@]}"); fi
		echo "run.sh: round $round of $rounds, $t: ${order[*]}" >&2
		for p in "${order[@]}"; do
			# One call outstanding leaves nothing to pipeline: goevent-pipe
			# would be the goevent client again.
			if [ "$p" = goevent-pipe ] && [ "$t" = c1 ]; then continue; fi
			run "$t" "$p" "$round"
		done
	done
done
if [ $cross = 1 ]; then
	echo "run.sh: cross-checks" >&2
	for t in "${tests[@]}"; do
		crossrun "$t" goevent libevent
		crossrun "$t" goevent-pipe libevent
		crossrun "$t" libevent goevent
	done
fi

echo
echo "RPC side by side: median of $rounds rounds (min–max). Servers alone on ${srvpin[*]:-no pinning} (one core; GOMAXPROCS"
echo "from the affinity mask), each system's own client on ${clipin[*]:-no pinning}. Loopback, ${dur} s per run."
echo "$(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "libevent $(pkg-config --modversion libevent)."
echo
"$tmp/report" -cmd "$cmdline" -dur "$dur" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
