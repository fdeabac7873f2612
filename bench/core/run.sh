#!/usr/bin/env bash
# Side-by-side event-dispatch benchmark: libevent's test/bench.c workload on
# libevent 2.1 (C), on goevent's core, and on goroutines over Go's runtime
# poller. See README.md beside this file.
#
# Usage: bash core/run.sh [-quick] [-whole] [-w W] [-reps K] [-rounds R]
#                         [-backend NAME] [-out DIR]
#   -quick     3 repetitions, N up to 1000 (CI smoke run)
#   -whole     time the whole round (del+add of all N events, then the
#              drain) with W = N, instead of bench.c's own timing (only the
#              drain, from the seed writes on, W = 100)
#   -w W       cascade writes per round (default 100; with -whole, N)
#   -reps K    process runs per program and (N, A) (default 9; -quick 3)
#   -rounds R  rounds per process run (default 25); a run counts as its
#              median round
#   -backend   goevent backend (default: core's choice, epoll on Linux,
#              which is also what libevent picks)
#   -out DIR   keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module

quick=0 drain=1 writes="" reps="" rounds=25 backend="" out=""
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-drain) drain=1 ;; # the default; kept for old command lines
	-whole) drain=0 ;;
	-w) writes=$2; shift ;;
	-reps) reps=$2; shift ;;
	-rounds) rounds=$2; shift ;;
	-backend) backend=$2; shift ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $drain = 1 ] && [ -z "$writes" ]; then writes=100; fi
if [ -z "$reps" ]; then
	if [ $quick = 1 ]; then reps=3; else reps=9; fi
fi

# --- tools, fds, temp dir: the shared prologue ---------------------------------
. "$here/../internal/sh/lib.sh"
bench_need gcc:gcc pkg-config:libevent:libevent-dev
bench_setup
nmax=$(((hard - 32) / 2)) # 2 fds per pair plus slack, under the fd limit
raw=${out:-$tmp/raw}
mkdir -p "$raw"

gcc -O2 -Wall -o "$tmp/libevent" "$here/libevent/bench.c" $(pkg-config --cflags --libs libevent)
progs=(libevent)
failed=0 # a program that does not build or a run that fails: exit 1 at the end
for p in goevent gorpoller; do
	if (cd "$module" && go build -o "$tmp/$p" "./core/$p"); then
		progs+=("$p")
	else
		echo "run.sh: $p does not build; its columns stay empty" >&2
		failed=1
	fi
done

pin=("${srvpin[@]}")

if [ $quick = 1 ]; then
	configs=("100 100" "1000 100" "1000 1000")
else
	configs=("100 100" "1000 100" "1000 1000" "10000 100" "10000 1000")
fi

args=(-r "$rounds")
[ -n "$writes" ] && args+=(-w "$writes")
[ $drain = 1 ] && args+=(-d)

run() { # prog n a rep
	local prog=$1 n=$2 a=$3 rep=$4 extra=()
	[ "$prog" = goevent ] && [ -n "$backend" ] && extra=(-backend "$backend")
	if ! "${pin[@]}" "$tmp/$prog" -n "$n" -a "$a" "${args[@]}" "${extra[@]}" \
		>"$raw/${n}_${a}_${prog}_${rep}.txt" 2>"$tmp/stderr"; then
		echo "run.sh: $prog -n $n -a $a failed:" >&2
		cat "$tmp/stderr" >&2
		rm -f "$raw/${n}_${a}_${prog}_${rep}.txt"
		failed=1
		return 0
	fi
	if [ "$rep" = 1 ] && [ "$n" = "${configs[0]%% *}" ]; then
		sed "s/^/  /" "$tmp/stderr" >>"$tmp/about"
	fi
}

for c in "${configs[@]}"; do
	read -r n a <<<"$c"
	[ "$n" -gt "$nmax" ] && n=$nmax
	echo "run.sh: N=$n A=$a: $reps repetitions of ${progs[*]}" >&2
	for rep in $(seq 1 "$reps"); do
		order=("${progs[@]}")
		if [ $((rep % 2)) = 0 ]; then # reverse every other repetition
			order=()
			for ((i = ${#progs[@]} - 1; i >= 0; i--)); do order+=("${progs[i]}"); done
		fi
		for p in "${order[@]}"; do run "$p" "$n" "$a" "$rep"; done
	done
done

(cd "$module" && go build -o "$tmp/report" ./core/report)
timing="whole round: del+add(60 s) of all N events, then the drain"
[ $drain = 1 ] && timing="drain only, from the seed writes on (bench.c's timing)"
echo
echo "Event dispatch, libevent test/bench.c workload, µs per round: median of $reps process runs (min–max),"
echo "each run the median of $rounds rounds. W = ${writes:-N} cascade writes per round. Timed: $timing."
echo "Pinned: ${pin[*]:-no}. $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)."
[ -f "$tmp/about" ] && cat "$tmp/about"
echo
"$tmp/report" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some programs failed to build or run (see above)" >&2
	exit 1
fi
