#!/usr/bin/env bash
# Side-by-side HTTP server benchmark: goevent's evhttp against nginx, gnet
# (fixed reply, no HTTP parsing), fasthttp, net/http, nbio's nbhttp and
# libevent's C evhttp. Each server runs alone, pinned to CPU 1; wrk and the
# idle-connection client run on CPU 0. See README.md beside this file.
#
# Usage: bash http/run.sh [-quick] [-rounds R] [-dur D] [-conns C] [-depth P]
#                         [-idle N] [-servers LIST] [-t LIST] [-out DIR]
#   -quick        smoke run: 1 round, 2 s wrk runs, 1,000 idle connections
#   -rounds R     rounds (default 6); each runs every server once per test,
#                 in reversed order every other round (A B, B A, ...)
#   -dur D        wrk duration (default 5s)
#   -conns C      wrk connections (default 100)
#   -depth P      requests per write in the pipelined test (default 16)
#   -idle N       connections in the idle-memory test (default 10000)
#   -servers LIST comma-separated (default goevent,nginx,gnet,fasthttp,nethttp,nbio,libevent)
#   -t LIST       comma-separated tests (default plain,pipeline,idle)
#   -out DIR      keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash http/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=100 depth=16 idle="" out=""
servers="goevent,nginx,gnet,fasthttp,nethttp,nbio,libevent"
list="plain,pipeline,idle"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-rounds) rounds=$2; shift ;;
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-depth) depth=$2; shift ;;
	-idle) idle=$2; shift ;;
	-servers) servers=$2; shift ;;
	-t) list=$2; shift ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}" "${idle:=1000}"
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
	plain | pipeline | idle) ;;
	*) echo "run.sh: unknown test $t" >&2; exit 2 ;;
	esac
done

# --- tools -------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v gcc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
if ! command -v pkg-config >/dev/null || ! pkg-config --exists libevent; then
	need+=(libevent-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "run.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y "${need[@]}" >&2 ||
		{ $sudo apt-get update >&2 && $sudo apt-get install -y "${need[@]}" >&2; }
fi
command -v go >/dev/null || { echo "run.sh: go not found" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)

# --- fds: every process here may use the hard limit ---------------------------
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then hard=1048576; fi
ulimit -n "$hard"
if [ "$idle" -gt $((hard - 100)) ]; then
	echo "run.sh: -idle $idle does not fit the fd limit $hard" >&2
	exit 2
fi

# --- build (into a temp dir: binaries never land in the tree) -----------------
tmp=$(mktemp -d)
spid="" cpid="" # the server and the idle client running now: the trap stops them
cleanup() {
	for p in $cpid $spid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent nethttp fasthttp gnet nbio check idleclient report; do
	(cd "$module" && go build -o "$tmp/$p" "./http/$p")
done
gcc -O2 -Wall -o "$tmp/libevent" "$here/libevent/server.c" $(pkg-config --cflags --libs libevent)

srvpin=() clipin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
	srvpin=(taskset -c 1) clipin=(taskset -c 0)
fi
hz=$(getconf CLK_TCK)

# nginx_conf ADDR: a configuration in $tmp/nginx for one worker on ADDR.
nginx_conf() {
	local d=$tmp/nginx
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<-EOF
		daemon off;
		worker_processes 1;
		worker_rlimit_nofile $hard;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events {
		    worker_connections $((idle + 1024));
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

# Every server start gets a fresh port below the ephemeral range, so no
# connection of an earlier run (TIME_WAIT) is in the way.
port=$((20000 + RANDOM % 8000))
addr="" wpid="" failed=0

# start NAME: starts the server on a fresh port and checks its replies.
# Sets spid (the process started), wpid (the process that serves: nginx's
# worker) and addr. Fails when the server does not answer as it must.
start() {
	local name=$1 cmd=()
	port=$((port + 1))
	addr=127.0.0.1:$port
	case $name in
	nginx)
		nginx_conf "$addr"
		cmd=("$nginx" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log")
		;;
	libevent) cmd=("$tmp/libevent" -addr "$addr") ;;
	*) cmd=("$tmp/$name" -addr "$addr" -stats "$tmp/stats") ;;
	esac
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	wpid=$spid
	if ! "$tmp/check" -addr "$addr" -wait 5s >"$tmp/check.out" 2>"$tmp/check.err"; then
		cat "$tmp/check.err" >"$tmp/fail"
		return 1
	fi
	if [ "$name" = nginx ]; then
		wpid=$(ps --ppid "$spid" -o pid= | tr -d ' ')
		if [ -z "$wpid" ] || [ "$(wc -w <<<"$wpid")" != 1 ]; then
			echo "nginx: want one worker process, found '$wpid'" >"$tmp/fail"
			return 1
		fi
	fi
	[ -f "$raw/reply_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_$name.txt"
}

stop() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	fi
	spid="" wpid=""
}

# cputicks PID: utime+stime of the process (all its threads), in clock ticks.
cputicks() {
	# Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th.
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
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

# wrkrun TEST NAME ROUND: one wrk run, plain or pipelined.
wrkrun() {
	local t=$1 name=$2 round=$3 args=(-t1 -c"$conns" -d"$dur" --latency)
	[ "$t" = pipeline ] && args+=(-s "$here/pipeline.lua")
	args+=("http://$addr/")
	[ "$t" = pipeline ] && args+=(-- "$depth")
	local before after
	before=$(cputicks "$wpid")
	"${clipin[@]}" wrk "${args[@]}" >"$raw/${t}_${name}_$round.wrk" 2>"$tmp/fail" || return 1
	after=$(cputicks "$wpid")
	echo "cpu_ticks=$((after - before)) hz=$hz" >"$raw/${t}_${name}_$round.txt"
}

# idlerun NAME ROUND: memory before and after $idle idle connections.
idlerun() {
	local name=$1 round=$2 before after i
	before=$(memory "$name") || return 1
	"${clipin[@]}" "$tmp/idleclient" -addr "$addr" -n "$idle" >"$tmp/idle.out" 2>"$tmp/fail" &
	cpid=$!
	for i in $(seq 1200); do # up to 120 s to open them
		grep -q '^ready' "$tmp/idle.out" && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^ready' "$tmp/idle.out"; then
		wait "$cpid" 2>/dev/null || true
		cpid=""
		return 1
	fi
	sleep 1 # let the server finish with the last replies
	after=$(memory "$name") || return 1
	kill "$cpid"
	wait "$cpid" 2>/dev/null || true
	cpid=""
	echo "n=$idle $(sed 's/\([a-z_]*\)=/before_\1=/g' <<<"$before") $(sed 's/\([a-z_]*\)=/after_\1=/g' <<<"$after")" \
		>"$raw/idle_${name}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3 ok=1
	if start "$name"; then
		case $t in
		plain | pipeline) wrkrun "$t" "$name" "$round" || ok=0 ;;
		idle) idlerun "$name" "$round" || ok=0 ;;
		esac
	else
		ok=0
	fi
	if [ $ok = 0 ]; then
		echo "run.sh: $name $t (round $round) failed:" >&2
		cat "$tmp/fail" "$tmp/srv.err" >&2 || true
		failed=1
	fi
	stop
}

for round in $(seq 1 "$rounds"); do
	order=("${progs[@]}")
	if [ $((round % 2)) = 0 ]; then # reverse every other round
		order=()
		for ((i = ${#progs[@]} - 1; i >= 0; i--)); do order+=("${progs[i]}"); done
	fi
	echo "run.sh: round $round of $rounds: ${order[*]}" >&2
	for t in "${tests[@]}"; do
		for p in "${order[@]}"; do run "$t" "$p" "$round"; done
	done
done

echo
echo "HTTP \"Hello, World!\" servers side by side: median of $rounds rounds (min–max). Each server alone on"
echo "${srvpin[*]:-no pinning} (one core, one event loop; GOMAXPROCS from the affinity mask); wrk and the idle client on"
echo "${clipin[*]:-no pinning}. Loopback. $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "$("$nginx" -v 2>&1 | sed 's/^nginx version: //'), libevent $(pkg-config --modversion libevent), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
echo
"$tmp/report" -cmd "$cmdline" -conns "$conns" -dur "$dur" -depth "$depth" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
