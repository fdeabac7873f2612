#!/usr/bin/env bash
# Side-by-side bufferevent benchmark: a goevent bufferevent echo server, a
# goroutine-per-connection net.Conn server and a gnet v2 server, each on one
# pinned CPU with one event loop (GOMAXPROCS=1), driven by ./client on the
# other CPU over loopback. See README.md beside this file.
#
# Usage: bash bufferevent/run.sh [-quick] [-reps K] [-dur D] [-filemib M] [-idle N] [-t LIST] [-out DIR]
#   -quick      3 repetitions of 1 s runs, a 256 MiB file (a few minutes)
#   -reps K     repetitions (default 5; each runs every server once per test)
#   -dur D      measured duration of each echo, stream and sendfile run (default 5s)
#   -filemib M  size of the sendfile test's file in MiB (default 1024)
#   -idle N     idle connections for the memory test (default 10000)
#   -t LIST     comma-separated tests (default: echo1,echo100,echo5000,stream,sendfile,idle)
#   -out DIR    keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module

quick=0 reps="" dur="" filemib="" idle=10000 out=""
list="echo1,echo100,echo5000,stream,sendfile,idle"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-reps) reps=$2; shift ;;
	-dur) dur=$2; shift ;;
	-filemib) filemib=$2; shift ;;
	-idle) idle=$2; shift ;;
	-t) list=$2; shift ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${reps:=3}" "${dur:=1s}" "${filemib:=256}"
else
	: "${reps:=5}" "${dur:=5s}" "${filemib:=1024}"
fi
IFS=, read -r -a tests <<<"$list"
. "$here/../internal/sh/lib.sh"
bench_need
bench_setup
raw=${out:-$tmp/raw}
mkdir -p "$raw"
# --- build (into $tmp: binaries never land in the tree) -----------------------
for p in goevent netconn gnet client report; do
	(cd "$module" && go build -o "$tmp/$p" "./bufferevent/$p")
done

# The sendfile test's file: random bytes (no sparse-file shortcuts), written
# once and so in the page cache for every run.
file=$tmp/sendfile.dat
case " ${tests[*]} " in *" sendfile "*)
	head -c "$((filemib << 20))" /dev/urandom >"$file" ;;
esac

failed=0

# progs TEST: the servers that take part in TEST.
progs() {
	case $1 in
	echo* | idle) echo goevent netconn gnet ;;
	stream) echo goevent goevent-1m netconn gnet ;;
	sendfile) echo goevent goevent-1m netconn ;;
	esac
}

run() { # prog test rep
	local prog=$1 t=$2 rep=$3 cmd=() cargs=()
	bench_port # a fresh port: no TIME_WAIT of an earlier run in the way
	local addr=127.0.0.1:$port
	case $prog in
	goevent) cmd=("$tmp/goevent") ;;
	goevent-1m) cmd=("$tmp/goevent" -max 1048576) ;;
	netconn) cmd=("$tmp/netconn") ;;
	gnet) cmd=("$tmp/gnet") ;;
	esac
	cmd+=(-addr "$addr" -stats "$tmp/stats")
	case $t in
	echo*) cargs=(-mode echo -conns "${t#echo}" -dur "$dur") ;;
	stream) cargs=(-mode stream -dur "$dur") ;;
	sendfile) cmd+=(-mode sendfile -file "$file"); cargs=(-mode sendfile -file "$file" -dur "$dur") ;;
	idle) cargs=(-mode idle -conns "$idle" -stats "$tmp/stats") ;;
	esac
	GOMAXPROCS=1 "${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	local spid=$!
	bench_track "$spid"
	local i
	for i in $(seq 100); do # up to 5 s for the listening line
		grep -qx "$addr" "$tmp/srv.out" 2>/dev/null && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05
	done
	local f="$raw/${t}_${prog}_${rep}.txt" rc=0
	if grep -qx "$addr" "$tmp/srv.out" 2>/dev/null; then
		"${clipin[@]}" "$tmp/client" -addr "$addr" -pid "$spid" "${cargs[@]}" >"$f" 2>"$tmp/cli.err" || rc=$?
	else
		echo "server did not start" >"$tmp/cli.err"
		rc=1
	fi
	bench_stop "$spid"
	if [ $rc != 0 ]; then
		echo "run.sh: $prog $t (rep $rep) failed:" >&2
		cat "$tmp/cli.err" "$tmp/srv.err" >&2
		rm -f "$f"
		failed=1
	fi
}

for t in "${tests[@]}"; do
	read -r -a ps <<<"$(progs "$t")"
	echo "run.sh: $t: $reps repetitions of ${ps[*]}" >&2
	for rep in $(seq 1 "$reps"); do
		order=("${ps[@]}")
		if [ $((rep % 2)) = 0 ]; then # reverse every other repetition
			order=()
			for ((i = ${#ps[@]} - 1; i >= 0; i--)); do order+=("${ps[i]}"); done
		fi
		for p in "${order[@]}"; do run "$p" "$t" "$rep"; done
	done
done

echo
echo "bufferevent echo, stream, sendfile and idle-memory tests side by side: median of $reps runs (min–max), $dur each."
echo "Server pinned: ${srvpin[*]:-no}, GOMAXPROCS=1; client: ${clipin[*]:-no}. Loopback. $(uname -sr),"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ). Load average: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "sendfile file: ${filemib} MiB of random bytes (page cache). Idle test: $idle connections. $(go version | cut -d' ' -f3)."
echo
"$tmp/report" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
