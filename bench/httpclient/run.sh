#!/usr/bin/env bash
# Side-by-side HTTP client benchmark: goevent's evhttp client (a Connection
# per slot, and a Pool) against fasthttp's HostClient and Go's net/http
# Client, all asking one nginx worker pinned to CPU 1 for a 13-byte reply;
# each client runs alone, pinned to CPU 0. The figure is client CPU µs per
# request. See README.md beside this file.
#
# Usage: bash httpclient/run.sh [-quick] [-rounds R] [-dur D] [-conns LIST]
#                               [-clients LIST] [-out DIR]
#   -quick         smoke run: 1 round, 2 s per run
#   -rounds R      rounds (default 6); each runs every client once per
#                  concurrency, in reversed order every other round (A B, B A)
#   -dur D         measured window of each run, Go duration (default 5s)
#   -conns LIST    comma-separated concurrent connections (default 1,64)
#   -clients LIST  comma-separated (default goevent,goeventpool,fasthttp,nethttp)
#   -out DIR       keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash httpclient/run.sh${*:+ $*}"

quick=0 rounds="" dur="" out="" conns="1,64"
clients="goevent,goeventpool,fasthttp,nethttp"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-rounds) rounds=$2; shift ;;
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-clients) clients=$2; shift ;;
	-out) out=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}"
else
	: "${rounds:=6}" "${dur:=5s}"
fi
IFS=, read -r -a progs <<<"$clients"
IFS=, read -r -a levels <<<"$conns"
for p in "${progs[@]}"; do
	case $p in
	goevent | goeventpool | fasthttp | nethttp) ;;
	*) echo "run.sh: unknown client $p" >&2; exit 2 ;;
	esac
done
for c in "${levels[@]}"; do
	case $c in
	'' | *[!0-9]*) echo "run.sh: -conns wants numbers, got $c" >&2; exit 2 ;;
	esac
done

# --- tools, fds, temp dir: the shared prologue ---------------------------------
. "$here/../internal/sh/lib.sh"
bench_need nginx:nginx-light
bench_setup
nginx=$(bench_bin nginx)

# --- build (into $tmp: binaries never land in the tree) -----------------------
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent fasthttp nethttp report; do
	(cd "$module" && go build -o "$tmp/$p" "./httpclient/$p")
done

# --- nginx: one worker on CPU 1 for the whole session -------------------------
bench_port
addr=127.0.0.1:$port
d=$tmp/nginx
mkdir -p "$d"
cat >"$d/nginx.conf" <<-EOF2
	daemon off;
	worker_processes 1;
	pid $d/nginx.pid;
	error_log $d/error.log warn;
	events {
	    worker_connections 1024;
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
	        listen $addr;
	        location / {
	            default_type text/plain;
	            return 200 "Hello, World!";
	        }
	    }
	}
EOF2
"${srvpin[@]}" "$nginx" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" >"$tmp/srv.out" 2>"$tmp/srv.err" &
spid=$!
bench_track "$spid"
wpid=""
for i in $(seq 100); do # up to 10 s for the worker to be up and listening
	wpid=$(ps --ppid "$spid" -o pid= | tr -d ' ') || true # ps fails while there is no worker yet
	if [ -n "$wpid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		break
	fi
	kill -0 "$spid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$wpid" ] || [ "$(wc -w <<<"$wpid")" != 1 ]; then
	echo "run.sh: nginx: want one worker process, found '$wpid'" >&2
	cat "$tmp/srv.err" "$d/error.log" >&2 2>/dev/null || true
	exit 1
fi

failed=0

# run CONNS NAME ROUND: one client run; the client checks every reply.
run() {
	local c=$1 name=$2 round=$3 cmd before after
	case $name in
	goeventpool) cmd=("$tmp/goevent" -pool) ;;
	*) cmd=("$tmp/$name") ;;
	esac
	cmd+=(-addr "$addr" -conns "$c" -dur "$dur")
	before=$(bench_cputicks "$wpid")
	if "${clipin[@]}" "${cmd[@]}" >"$tmp/client.out" 2>"$tmp/client.err"; then
		after=$(bench_cputicks "$wpid")
		echo "$(cat "$tmp/client.out") hz=$hz server_ticks=$((after - before))" >"$raw/conns${c}_${name}_$round.txt"
	else
		echo "run.sh: $name with $c connections (round $round) failed:" >&2
		cat "$tmp/client.out" "$tmp/client.err" >&2 || true
		failed=1
	fi
}

for round in $(seq 1 "$rounds"); do
	order=("${progs[@]}")
	if [ $((round % 2)) = 0 ]; then # reverse every other round
		order=()
		for ((i = ${#progs[@]} - 1; i >= 0; i--)); do order+=("${progs[i]}"); done
	fi
	echo "run.sh: round $round of $rounds: ${order[*]}" >&2
	for c in "${levels[@]}"; do
		for p in "${order[@]}"; do run "$c" "$p" "$round"; done
	done
done
bench_stop "$spid"

echo
echo "HTTP clients side by side: median of $rounds rounds (min–max). nginx (one worker) on"
echo "${srvpin[*]:-no pinning}; each client alone on ${clipin[*]:-no pinning} (GOMAXPROCS from the affinity mask). Loopback."
echo "$(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "$("$nginx" -v 2>&1 | sed 's/^nginx version: //')."
echo
"$tmp/report" -cmd "$cmdline" -dur "$dur" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
