#!/usr/bin/env bash
# Side-by-side evbuffer benchmark: six buffer workloads on libevent 2.1's
# evbuffer (C), on goevent's evbuffer, and on bytes.Buffer and bufio. See
# README.md beside this file.
#
# Usage: bash evbuffer/run.sh [-quick] [-reps K] [-rounds R] [-w LIST] [-out DIR]
#   -quick     3 repetitions of 3 rounds (CI smoke run)
#   -reps K    process runs per program and workload (default 9)
#   -rounds R  rounds per process run (default 7); a run counts as its
#              median round
#   -w LIST    comma-separated workloads (default: small,large,move,readln,search,writev)
#   -out DIR   keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module

quick=0 reps="" rounds="" out="" list="small,large,move,readln,search,writev"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-reps) reps=$2; shift ;;
	-rounds) rounds=$2; shift ;;
	-w) list=$2; shift ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$reps" ]; then
	if [ $quick = 1 ]; then reps=3; else reps=9; fi
fi
if [ -z "$rounds" ]; then
	if [ $quick = 1 ]; then rounds=3; else rounds=7; fi
fi
IFS=, read -r -a workloads <<<"$list"

# --- tools, fds, temp dir: the shared prologue ---------------------------------
. "$here/../internal/sh/lib.sh"
bench_need gcc:gcc pkg-config:libevent:libevent-dev
bench_setup
raw=${out:-$tmp/raw}
mkdir -p "$raw"

gcc -O2 -Wall -o "$tmp/libevent" "$here/libevent/bench.c" $(pkg-config --cflags --libs libevent)
failed=0 # a program that does not build or a run that fails: exit 1 at the end
progs=(libevent libevent-tuned)
if (cd "$module" && go build -o "$tmp/goevent" ./evbuffer/goevent); then
	progs+=(goevent)
else
	echo "run.sh: goevent does not build; its columns stay empty" >&2
	failed=1
fi
if (cd "$module" && go build -o "$tmp/gostd" ./evbuffer/gostd); then
	progs+=(bytes bufio)
else
	echo "run.sh: gostd does not build; its columns stay empty" >&2
	failed=1
fi

# The same libevent binary with glibc's heap trimming and mmap threshold
# raised, so freed chains stay in the heap instead of going back to the
# kernel (brk/munmap) and faulting in again on the next add.
tuned="glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432"

pin=("${srvpin[@]}")

run() { # prog workload rep
	local prog=$1 w=$2 rep=$3 cmd=() env=() p=()
	case $prog in
	libevent) cmd=("$tmp/libevent") ;;
	libevent-tuned) cmd=("$tmp/libevent"); env=("GLIBC_TUNABLES=$tuned") ;;
	goevent) cmd=("$tmp/goevent") ;;
	bytes | bufio) cmd=("$tmp/gostd" -impl "$prog") ;;
	esac
	# writev has a reader process (cat): it gets both cores; the rest run on one.
	[ "$w" = writev ] || p=("${pin[@]}")
	local f="$raw/${w}_${prog}_${rep}.txt" rc=0
	env "${env[@]}" "${p[@]}" "${cmd[@]}" -w "$w" -r "$rounds" >"$f" 2>"$tmp/stderr" || rc=$?
	if [ $rc = 3 ]; then # no such variant (bufio has no move, search, writev)
		rm -f "$f"
		return 0
	fi
	if [ $rc != 0 ]; then
		echo "run.sh: $prog -w $w failed:" >&2
		cat "$tmp/stderr" >&2
		rm -f "$f"
		failed=1
		return 0
	fi
	if [ "$rep" = 1 ] && [ "$w" = "${workloads[0]}" ]; then
		sed "s/^/  /" "$tmp/stderr" >>"$tmp/about"
	fi
}

for w in "${workloads[@]}"; do
	echo "run.sh: $w: $reps repetitions of ${progs[*]}" >&2
	for rep in $(seq 1 "$reps"); do
		order=("${progs[@]}")
		if [ $((rep % 2)) = 0 ]; then # reverse every other repetition
			order=()
			for ((i = ${#progs[@]} - 1; i >= 0; i--)); do order+=("${progs[i]}"); done
		fi
		for p in "${order[@]}"; do run "$p" "$w" "$rep"; done
	done
done

(cd "$module" && go build -o "$tmp/report" ./evbuffer/report)
echo
echo "evbuffer workloads side by side: median of $reps process runs (min–max), each run the median of $rounds rounds."
echo "Pinned: ${pin[*]:-no} (writev unpinned: its reader, cat, takes the other core). $(uname -sr),"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ). Load average: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "libevent, malloc tuned: the same binary with GLIBC_TUNABLES=$tuned."
[ -f "$tmp/about" ] && cat "$tmp/about"
echo
"$tmp/report" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some programs failed to build or run (see above)" >&2
	exit 1
fi
