#!/usr/bin/env bash
# Side-by-side HTTP server benchmark: goevent's evhttp against nginx, gnet
# (fixed reply, no HTTP parsing), fasthttp, net/http, nbio's nbhttp and
# libevent's C evhttp. Each server runs alone, pinned to CPU 1; wrk and the
# idle-connection client run on CPU 0. See README.md beside this file.
#
# Usage: bash http/run.sh [-quick] [-rounds R] [-dur D] [-conns C] [-depth P]
#                         [-idle N] [-servers LIST] [-t LIST] [-out DIR]
#   -quick        smoke run: 1 round, 2 s wrk runs, 1,000 idle connections
#   -rounds R     rounds (default 6; -t scale alone: 2 rounds of 3 s wrk
#                 runs); each runs every server once per test,
#                 in reversed order every other round (A B, B A, ...)
#   -dur D        wrk duration (default 5s)
#   -conns C      wrk connections (default 100)
#   -depth P      requests per write in the pipelined test (default 16)
#   -idle N       connections in the idle-memory test (default 10000)
#   -servers LIST comma-separated (default goevent,nginx,gnet,fasthttp,nethttp,nbio,libevent)
#   -t LIST       comma-separated tests (default plain,pipeline,idle); scale
#                 is the scaling test: wrk at 10, 100, 1,000 and 10,000
#                 connections, 1 and 2 loops, idle memory at 1,000 and
#                 10,000 connections projected to 100k and 1M (libevent
#                 takes no part: it has no loops knob)
#   -out DIR      keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash http/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=100 depth=16 idle="" out=""
servers="goevent,nginx,gnet,fasthttp,nethttp,nbio,libevent"
list="plain,pipeline,idle"
. "$here/../internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-depth) depth=$2; shift ;;
	-idle) idle=$2; shift ;;
	-servers) servers=$2; shift ;;
	-t) list=$2; shift ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}" "${idle:=1000}"
elif [ "$list" = scale ]; then # the scaling test alone: 36 wrk runs and 12 idle runs a round
	: "${rounds:=2}" "${dur:=3s}" "${idle:=10000}"
else
	: "${rounds:=6}" "${dur:=5s}" "${idle:=10000}"
fi
IFS=, read -r -a progs <<<"$servers"
IFS=, read -r -a tests <<<"$list"
for p in "${progs[@]}"; do
	case $p in
	goevent | nginx | gnet | fasthttp | nethttp | nbio | libevent) ;;
	*) echo "run.sh: unknown server $p" >&2; exit 2 ;;
	esac
done
for t in "${tests[@]}"; do
	case $t in
	plain | pipeline | idle | scale) ;;
	*) echo "run.sh: unknown test $t" >&2; exit 2 ;;
	esac
done

# --- tools, fds, temp dir: the shared prologue ---------------------------------
bench_need wrk:wrk nginx:nginx-light gcc:gcc pkg-config:libevent:libevent-dev
bench_setup
nginx=$(bench_bin nginx)
# The scaling test's points: wrk connections, loops, idle connections.
scale_conns="10 100 1000 10000" scale_loops="1 2" scale_idle="1000 10000" longdur=8s
if [ $quick = 1 ]; then scale_conns="10 1000" scale_idle="100 1000"; fi
maxconns=$idle
case ",$list," in *,scale,*)
	for n in $scale_conns $scale_idle; do [ "$n" -gt "$maxconns" ] && maxconns=$n; done ;;
esac
if [ "$maxconns" -gt $((hard - 100)) ]; then
	echo "run.sh: $maxconns connections do not fit the fd limit $hard" >&2
	exit 2
fi

# --- build (into $tmp: binaries never land in the tree) -----------------------
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent nethttp fasthttp gnet nbio check idleclient report; do
	(cd "$module" && go build -o "$tmp/$p" "./http/$p")
done
gcc -O2 -Wall -o "$tmp/libevent" "$here/libevent/server.c" $(pkg-config --cflags --libs libevent)
spid="" cpid="" # the server and the idle client running now

# nginx_conf ADDR WORKERS: a configuration in $tmp/nginx for WORKERS workers on ADDR.
nginx_conf() {
	local d=$tmp/nginx
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<-EOF
		daemon off;
		worker_processes $2;
		worker_rlimit_nofile $hard;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events {
		    worker_connections $((maxconns + 1024));
		}
		http {
		    access_log off;
		    keepalive_requests 1000000000;
		    keepalive_timeout 300s;
		    client_body_temp_path $d/body;
		    proxy_temp_path $d/proxy;
		    fastcgi_temp_path $d/fastcgi;
		    uwsgi_temp_path $d/uwsgi;
		    scgi_temp_path $d/scgi;
		    server {
		        listen $1;
		        location / {
		            default_type text/plain;
		            return 200 "Hello, World!";
		        }
		    }
		}
	EOF
}

addr="" wpid="" failed=0

# start NAME [LOOPS]: starts the server on a fresh port and checks its
# replies. Without LOOPS the server gets CPU 1 and one loop; with LOOPS it
# gets every CPU and LOOPS loops (nginx workers, gnet/nbio/goevent loops,
# GOMAXPROCS). Sets spid (the process started), wpid (the process that
# serves: nginx's worker when there is one) and addr. Fails when the server
# does not answer as it must.
start() {
	local name=$1 loops=${2:-} cmd=() pin=("${srvpin[@]}") env=()
	bench_port # a fresh port: no TIME_WAIT of an earlier run in the way
	addr=127.0.0.1:$port
	case $name in
	nginx)
		nginx_conf "$addr" "${loops:-1}"
		cmd=("$nginx" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log")
		;;
	libevent) cmd=("$tmp/libevent" -addr "$addr") ;;
	*) cmd=("$tmp/$name" -addr "$addr" -stats "$tmp/stats") ;;
	esac
	if [ -n "$loops" ]; then
		pin=()
		[ ${#srvpin[@]} -gt 0 ] && pin=(taskset -c "0-$(($(nproc) - 1))")
		env=("GOMAXPROCS=$loops")
		case $name in goevent | gnet | nbio) cmd+=(-loops "$loops") ;; esac
	fi
	env "${env[@]}" "${pin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	wpid=$spid
	if ! "$tmp/check" -addr "$addr" -wait 5s >"$tmp/check.out" 2>"$tmp/check.err"; then
		cat "$tmp/check.err" >"$tmp/fail"
		return 1
	fi
	if [ "$name" = nginx ]; then
		wpid=$(ps --ppid "$spid" -o pid= | tr -d ' ' | tr '\n' ' ')
		if [ "$(wc -w <<<"$wpid")" != "${loops:-1}" ]; then
			echo "nginx: want ${loops:-1} worker processes, found '$wpid'" >"$tmp/fail"
			return 1
		fi
		wpid=${wpid%% *}
	fi
	[ -f "$raw/reply_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_$name.txt"
}

stop() {
	bench_stop "$spid"
	spid="" wpid=""
}

# servercpu NAME: the CPU ticks of the processes that serve: nginx's
# workers, or the server process.
servercpu() {
	if [ "$1" = nginx ]; then bench_children_ticks "$spid"; else bench_cputicks "$spid"; fi
}

# memory NAME: one line of key=value memory figures of the running server.
# Go servers write theirs (after runtime.GC and debug.FreeOSMemory) on
# SIGUSR1; for the C servers it is VmRSS from /proc.
memory() {
	case $1 in
	nginx | libevent)
		awk '/^VmRSS:/ { print "rss=" $2 * 1024 }' "/proc/$wpid/status"
		;;
	*)
		rm -f "$tmp/stats"
		kill -USR1 "$wpid"
		local i
		for i in $(seq 200); do # up to 10 s
			[ -f "$tmp/stats" ] && break
			sleep 0.05
		done
		[ -f "$tmp/stats" ] || { echo "no memory figures from the server" >"$tmp/fail"; return 1; }
		cat "$tmp/stats"
		;;
	esac
}

# wrkrun TEST NAME ROUND: one wrk run: plain, pipelined, or a scaling
# point (scale-cN: N connections; scale-lN: N loops, wrk unpinned with two
# threads, as the server has every CPU).
wrkrun() {
	local t=$1 name=$2 round=$3 args=(-t1 -c"$conns" -d"$dur" --latency) pin=("${clipin[@]}")
	case $t in
	scale-c*) # wrk spends seconds connecting 10,000 sockets: give it 8 s there
		local d=$dur
		[ "${t#scale-c}" -ge 5000 ] && d=$longdur
		args=(-t1 -c"${t#scale-c}" -d"$d" --latency) ;;
	scale-l*) args=(-t2 -c"$conns" -d"$dur" --latency) pin=() ;;
	esac
	[ "$t" = pipeline ] && args+=(-s "$here/pipeline.lua")
	args+=("http://$addr/")
	[ "$t" = pipeline ] && args+=(-- "$depth")
	local before after
	before=$(servercpu "$name")
	"${pin[@]}" wrk "${args[@]}" >"$raw/${t}_${name}_$round.wrk" 2>"$tmp/fail" || return 1
	after=$(servercpu "$name")
	echo "cpu_ticks=$((after - before)) hz=$hz" >"$raw/${t}_${name}_$round.txt"
}

# idlerun TEST NAME ROUND N: memory before and after N idle connections.
idlerun() {
	local t=$1 name=$2 round=$3 n=$4 before after i
	before=$(memory "$name") || return 1
	"${clipin[@]}" "$tmp/idleclient" -addr "$addr" -n "$n" >"$tmp/idle.out" 2>"$tmp/fail" &
	cpid=$!
	bench_track "$cpid"
	for i in $(seq 1200); do # up to 120 s to open them
		grep -q '^ready' "$tmp/idle.out" && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^ready' "$tmp/idle.out"; then
		bench_stop "$cpid"
		cpid=""
		return 1
	fi
	sleep 1 # let the server finish with the last replies
	after=$(memory "$name") || return 1
	bench_stop "$cpid"
	cpid=""
	echo "n=$n $(sed 's/\([a-z_]*\)=/before_\1=/g' <<<"$before") $(sed 's/\([a-z_]*\)=/after_\1=/g' <<<"$after")" \
		>"$raw/${t}_${name}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3 ok=1 loops=""
	case $t in scale-l*) loops=${t#scale-l} ;; esac
	if start "$name" $loops; then
		case $t in
		plain | pipeline | scale-c* | scale-l*) wrkrun "$t" "$name" "$round" || ok=0 ;;
		idle) idlerun "$t" "$name" "$round" "$idle" || ok=0 ;;
		scale-i*) idlerun "$t" "$name" "$round" "${t#scale-i}" || ok=0 ;;
		esac
	else
		ok=0
	fi
	[ $ok = 1 ] || bench_failed "$name $t (round $round)"
	stop
}

for round in $(seq 1 "$rounds"); do
	bench_order "$round" "${progs[@]}"
	echo "run.sh: round $round of $rounds: ${order[*]}" >&2
	for t in "${tests[@]}"; do
		if [ "$t" != scale ]; then
			for p in "${order[@]}"; do run "$t" "$p" "$round"; done
			continue
		fi
		for point in $(printf 'scale-c%s ' $scale_conns) $(printf 'scale-l%s ' $scale_loops) $(printf 'scale-i%s ' $scale_idle); do
			for p in "${order[@]}"; do
				[ "$p" = libevent ] || run "$point" "$p" "$round"
			done
		done
	done
done

echo
echo "HTTP \"Hello, World!\" servers side by side: median of $rounds rounds (min–max). Each server alone on"
echo "${srvpin[*]:-no pinning} (one core, one event loop; GOMAXPROCS from the affinity mask); wrk and the idle client on"
echo "${clipin[*]:-no pinning}. Loopback. $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "$("$nginx" -v 2>&1 | sed 's/^nginx version: //'), libevent $(pkg-config --modversion libevent), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
echo
"$tmp/report" -cmd "$cmdline" -conns "$conns" -dur "$dur" -depth "$depth" -cpus "$(nproc)" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
