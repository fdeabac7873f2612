#!/usr/bin/env bash
# Side-by-side static-file and reverse-proxy benchmark (issue 11's part of
# the HTTP benchmarks): cmd/evhttpd (-loops 1) against nginx (one worker,
# sendfile) and Go's net/http (http.FileServer, httputil.ReverseProxy).
# Each server alone on CPU 1, wrk on CPU 0. See README.md beside this file.
#
# Usage: bash static/run.sh [-quick] [-rounds R] [-dur D] [-conns C]
#                           [-conns1m C] [-subjects LIST] [-t LIST] [-out DIR]
#   -quick          smoke run: 1 round, 2 s wrk runs
#   -rounds R       rounds (default 6); each runs every subject once per
#                   test, in reversed order every other round (A B, B A, ...)
#   -dur D          wrk duration (default 5s)
#   -conns C        wrk connections for file1k and proxy (default 64)
#   -conns1m C      wrk connections for file1m (default 16)
#   -subjects LIST  comma-separated (default goevent,nginx,gostd)
#   -t LIST         comma-separated tests (default file1k,file1m,proxy)
#   -out DIR        keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash static/run.sh${*:+ $*}"

quick=0 rounds="" dur="" conns=64 conns1m=16 out=""
subjects="goevent,nginx,gostd" list="file1k,file1m,proxy"
. "$here/../internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-conns) conns=$2; shift ;;
	-conns1m) conns1m=$2; shift ;;
	-subjects) subjects=$2; shift ;;
	-t) list=$2; shift ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2s}"
else
	: "${rounds:=6}" "${dur:=5s}"
fi
bench_list subs subject "$subjects" goevent nginx gostd
bench_list tests test "$list" file1k file1m proxy
bench_whole "$rounds" "$conns" "$conns1m"

bench_need wrk:wrk nginx:nginx-light
bench_setup
nginx=$(bench_bin nginx)
raw=${out:-$tmp/raw}
mkdir -p "$raw"

# --- build (into $tmp: binaries never land in the tree) ------------------------
(cd "$module/.." && go build -o "$tmp/evhttpd" ./cmd/evhttpd)
for p in gofs goproxy check report; do
	(cd "$module" && go build -o "$tmp/$p" "./static/$p")
done

# --- the files served: random bytes, so no server can compress them ------------
www=$tmp/www
mkdir -p "$www"
chmod a+x "$tmp" # nginx's workers, as nobody, must reach $www
head -c 1024 /dev/urandom >"$www/1k.bin"
head -c 1048576 /dev/urandom >"$www/1m.bin"

# nginx_conf DIR BODY: an nginx configuration in DIR/nginx.conf, one worker,
# with BODY inside its http block (BODY holds the server blocks).
nginx_conf() {
	local d=$1
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<-EOF
		daemon off;
		worker_processes 1;
		worker_rlimit_nofile $hard;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events {
		    worker_connections 4096;
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
		    default_type application/octet-stream;
		    sendfile on;
		    tcp_nopush on;
		    tcp_nodelay on;
		$2
		}
	EOF
}

# static_server ADDR: the server block of nginx serving $www.
static_server() {
	cat <<-EOF
		    open_file_cache max=1000 inactive=60s;
		    open_file_cache_valid 60s;
		    open_file_cache_errors on;
		    server {
		        listen $1;
		        root $www;
		    }
	EOF
}

# proxy_server ADDR BACKEND: the server block of nginx proxying to BACKEND
# with a pool of keep-alive connections.
proxy_server() {
	cat <<-EOF
		    upstream backend {
		        server $2;
		        keepalive 64;
		        keepalive_requests 1000000000;
		        keepalive_timeout 300s;
		    }
		    server {
		        listen $1;
		        location / {
		            proxy_pass http://backend;
		            proxy_http_version 1.1;
		            proxy_set_header Connection "";
		            proxy_set_header Host \$host;
		        }
		    }
	EOF
}

# --- the proxy test's backend: nginx serving $www, pinned with wrk to CPU 0 ----
backend="" bpid=""
if [[ ",$list," == *,proxy,* ]]; then
	bench_port
	backend=127.0.0.1:$port
	nginx_conf "$tmp/backend" "$(static_server "$backend")"
	"${clipin[@]}" "$nginx" -p "$tmp/backend/" -c "$tmp/backend/nginx.conf" -e "$tmp/backend/error.log" \
		>"$tmp/backend.out" 2>&1 &
	bpid=$!
	bench_track "$bpid"
	if ! "$tmp/check" -url "http://$backend/1k.bin" -file "$www/1k.bin" -wait 5s >/dev/null 2>"$tmp/fail"; then
		echo "run.sh: the backend nginx does not serve the file:" >&2
		cat "$tmp/fail" "$tmp/backend.out" >&2
		exit 1
	fi
fi

spid="" addr="" failed=0

# start TEST NAME: starts NAME for TEST on a fresh port and checks its
# replies. Sets spid and addr.
start() {
	local t=$1 name=$2 cmd=()
	bench_port
	addr=127.0.0.1:$port
	case $t/$name in
	proxy/goevent) cmd=("$tmp/evhttpd" -listen "$addr" -loops 1 -root "$www" -proxy "/=http://$backend" -upstream-conns 64) ;;
	*/goevent) cmd=("$tmp/evhttpd" -listen "$addr" -loops 1 -root "$www" -open-file-cache 60s) ;;
	proxy/nginx)
		nginx_conf "$tmp/nginx" "$(proxy_server "$addr" "$backend")"
		cmd=("$nginx" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log")
		;;
	*/nginx)
		nginx_conf "$tmp/nginx" "$(static_server "$addr")"
		cmd=("$nginx" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log")
		;;
	proxy/gostd) cmd=("$tmp/goproxy" -addr "$addr" -backend "http://$backend" -idle 64) ;;
	*/gostd) cmd=("$tmp/gofs" -addr "$addr" -root "$www") ;;
	esac
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	if ! "$tmp/check" -url "$(url "$t")" -file "$(file "$t")" -wait 5s >"$tmp/check.out" 2>"$tmp/fail"; then
		return 1
	fi
	if [ "$name" = nginx ]; then
		local w
		w=$(ps --ppid "$spid" -o pid= | tr -d ' ')
		if [ -z "$w" ] || [ "$(wc -w <<<"$w")" != 1 ]; then
			echo "nginx: want one worker process, found '$w'" >"$tmp/fail"
			return 1
		fi
	fi
	[ -f "$raw/reply_${t}_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_${t}_$name.txt"
}

stop() {
	bench_stop "$spid"
	spid=""
}

# file TEST: the file TEST fetches; url TEST: its URL on the server under test.
file() { if [ "$1" = file1m ]; then echo "$www/1m.bin"; else echo "$www/1k.bin"; fi; }
url() { echo "http://$addr/$(basename "$(file "$1")")"; }

# ticks NAME: the CPU ticks of the process that serves (nginx: its worker).
ticks() {
	if [ "$1" = nginx ]; then bench_children_ticks "$spid"; else bench_cputicks "$spid"; fi
}

# wrkrun TEST NAME ROUND: one wrk run against the running server.
wrkrun() {
	local t=$1 name=$2 round=$3 c=$conns before after
	[ "$t" = file1m ] && c=$conns1m
	before=$(ticks "$name")
	"${clipin[@]}" wrk -t1 -c"$c" -d"$dur" --latency "$(url "$t")" >"$raw/${t}_${name}_$round.wrk" 2>"$tmp/fail" || return 1
	after=$(ticks "$name")
	echo "cpu_ticks=$((after - before)) hz=$hz size=$(stat -c %s "$(file "$t")")" >"$raw/${t}_${name}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3
	start "$t" "$name" && wrkrun "$t" "$name" "$round" || bench_failed "$t $name (round $round)"
	stop
}

bench_rounds "${subs[@]}"

echo
echo "Static files and reverse proxy side by side: median of $rounds rounds (min–max). Each server alone on"
echo "${srvpin[*]:-no pinning} (one core: evhttpd -loops 1, one nginx worker, GOMAXPROCS from the affinity mask); wrk and the"
echo "proxy test's backend nginx on ${clipin[*]:-no pinning}. Loopback. $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "$("$nginx" -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
echo
"$tmp/report" -cmd "$cmdline" -dur "$dur" -conns "$conns" -conns1m "$conns1m" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
