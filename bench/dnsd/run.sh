#!/usr/bin/env bash
# Side-by-side caching-forwarder benchmark (issue 12's part of the DNS
# benchmarks): evdnsd against unbound and dnsmasq, each alone on CPU 1 and
# configured as a caching forwarder to the same upstream (upstream/, on
# CPU 0), answering dnsperf (CPU 0) from its cache. Figures: queries/s,
# forwarder CPU µs per query, lost queries, and the upstream queries during
# the measured phase (which should be about 0). See README.md beside this
# file.
#
# Usage: bash dnsd/run.sh [-quick] [-rounds R] [-dur S] [-names N]
#                         [-servers LIST] [-profile] [-out DIR]
#   -quick         smoke run: 1 round, 2 s runs
#   -rounds R      rounds (default 6); each runs every forwarder once, in
#                  reversed order every other round (A B, B A, ...)
#   -dur S         seconds per measured run: dnsperf -l S (default 5)
#   -names N       names in the upstream's zone and the query file (default 10000)
#   -servers LIST  comma-separated (default goevent,unbound,dnsmasq)
#   -profile       also write evdnsd's CPU profile of each run (its whole
#                  life: warm-up and measurement) as goevent_ROUND.pprof
#   -out DIR       keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash dnsd/run.sh${*:+ $*}"

quick=0 rounds="" dur="" out="" names=10000 profile=0
servers="goevent,unbound,dnsmasq"
. "$here/../internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-names) names=$2; shift ;;
	-servers) servers=$2; shift ;;
	-profile) profile=1 ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2}"
else
	: "${rounds:=6}" "${dur:=5}"
fi
bench_list srvs server "$servers" goevent unbound dnsmasq
bench_whole "$dur" "$names" "$rounds"

# Upstream queries allowed during a measured run: a query lost in the
# warm-up is asked upstream when the measurement first meets its name.
maxupstream=10

bench_need dnsperf:dnsperf unbound:unbound dnsmasq:dnsmasq-base dig:bind9-dnsutils
bench_setup
unbound=$(bench_bin unbound)
dnsmasq=$(bench_bin dnsmasq)
raw=${out:-$tmp/raw}
mkdir -p "$raw"

# --- build (into $tmp: binaries never land in the tree) ------------------------
for p in upstream report; do
	(cd "$module" && go build -o "$tmp/$p" "./dnsd/$p")
done
(cd "$module/.." && go build -o "$tmp/evdnsd" ./cmd/evdnsd)
"$tmp/upstream" -addr "" -names "$names" -queries "$tmp/queries.txt" -expect "$tmp/expect.txt"

# --- the upstream: one for the whole session, on CPU 0 --------------------------
bench_port
uport=$port
"${clipin[@]}" "$tmp/upstream" -addr "127.0.0.1:$uport" -names "$names" >"$tmp/upstream.out" 2>&1 &
upid=$!
bench_track "$upid"

# upcount: the upstream's query count so far.
upcount() {
	local c
	c=$(dig +short +time=2 +tries=3 @127.0.0.1 -p "$uport" count.stats.invalid TXT) || return 1
	c=${c//\"/}
	case $c in '' | *[!0-9]*) return 1 ;; esac
	echo "$c"
}
bench_wait "$upid" 10 upcount >/dev/null 2>&1 || true
upcount >/dev/null || { echo "run.sh: the upstream does not answer" >&2; cat "$tmp/upstream.out" >&2; exit 1; }

# --- the forwarders -----------------------------------------------------------------
cache=$((names * 2)) # entries: room for every name

unbound_conf() { # DIR PORT
	cat >"$1/unbound.conf" <<-EOF
		server:
		    interface: 127.0.0.1
		    port: $2
		    num-threads: 1
		    do-daemonize: no
		    chroot: ""
		    username: ""
		    directory: "$1"
		    pidfile: ""
		    logfile: ""
		    use-syslog: no
		    verbosity: 0
		    do-ip6: no
		    do-tcp: yes
		    so-reuseport: no
		    access-control: 127.0.0.0/8 allow
		    do-not-query-localhost: no
		    module-config: "iterator"
		    msg-cache-size: 64m
		    rrset-cache-size: 128m
		    prefetch: no
		    local-zone: "test." nodefault
		    outgoing-range: 64
		    so-rcvbuf: 16m
		    so-sndbuf: 16m
		forward-zone:
		    name: "."
		    forward-addr: 127.0.0.1@$uport
		remote-control:
		    control-enable: no
	EOF
}

failed=0 spid=""

# start NAME ROUND: starts the forwarder on 127.0.0.1:$port (fresh), fills
# its cache (dnsperf once through the query file) and checks three answers
# with dig. Sets spid.
start() {
	local name=$1 round=$2 cmd=()
	bench_port
	case $name in
	goevent)
		cmd=("$tmp/evdnsd" -loops 1 -listen "127.0.0.1:$port" -upstream "127.0.0.1:$uport" -cache-size "$cache")
		[ $profile = 1 ] && cmd+=(-cpuprofile "$raw/goevent_$round.pprof")
		;;
	unbound)
		mkdir -p "$tmp/unbound"
		unbound_conf "$tmp/unbound" "$port"
		cmd=("$unbound" -d -c "$tmp/unbound/unbound.conf")
		;;
	dnsmasq)
		cmd=("$dnsmasq" -k -C /dev/null --no-resolv --no-hosts --no-poll --bind-interfaces
			--listen-address=127.0.0.1 "--port=$port" --pid-file= --user=
			"--server=127.0.0.1#$uport" "--cache-size=$cache" --dns-forward-max=1000)
		;;
	esac
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	local first
	first=$(head -1 "$tmp/expect.txt" | cut -d' ' -f1)
	if ! bench_wait "$spid" 10 dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" "$first" A >/dev/null 2>&1; then
		kill -0 "$spid" 2>/dev/null || { echo "$name exited" >"$tmp/fail"; return 1; }
	fi
	"${clipin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries.txt" -n 1 -c 4 -q 200 -T 1 \
		>"$raw/warmup_${name}_$round.dnsperf" 2>"$tmp/fail" || return 1
	local qname want got
	while read -r qname want; do
		got=$(dig +short +time=2 +tries=2 @127.0.0.1 -p "$port" "$qname" A 2>&1) || true
		if [ "$got" != "$want" ]; then
			echo "$name: $qname A: got '$got', want '$want'" >"$tmp/fail"
			return 1
		fi
	done <"$tmp/expect.txt"
	[ -f "$raw/reply_$name.txt" ] || dig +time=2 @127.0.0.1 -p "$port" "$first" A >"$raw/reply_$name.txt" 2>&1 || true
}

stop() {
	bench_stop "$spid"
	spid=""
}

# measure NAME ROUND: dnsperf against the warm forwarder, with its CPU
# ticks and the upstream's query count around the run.
measure() {
	local name=$1 round=$2 ubefore uafter
	ubefore=$(upcount) || { echo "upstream count unreadable" >"$tmp/fail"; return 1; }
	bench_measure "$spid" "${clipin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries.txt" -l "$dur" -c 4 -q 200 -T 1 \
		>"$raw/cached_${name}_$round.dnsperf" 2>"$tmp/fail" || return 1
	uafter=$(upcount) || { echo "upstream count unreadable" >"$tmp/fail"; return 1; }
	echo "cpu_ticks=$bench_ticks hz=$hz upstream_queries=$((uafter - ubefore))" >"$raw/cached_${name}_$round.txt"
	if [ $((uafter - ubefore)) -gt $maxupstream ]; then
		echo "$name: $((uafter - ubefore)) upstream queries during the measured run (cache misses), more than $maxupstream" >"$tmp/fail"
		return 1
	fi
}

run() { # name round
	local name=$1 round=$2
	start "$name" "$round" && measure "$name" "$round" || bench_failed "$name (round $round)"
	stop
}

for round in $(seq 1 "$rounds"); do
	bench_order "$round" "${srvs[@]}"
	echo "run.sh: round $round of $rounds: ${order[*]}" >&2
	for p in "${order[@]}"; do run "$p" "$round"; done
done

echo
echo "Caching forwarders side by side: median of $rounds rounds (min–max). Each forwarder alone on"
echo "${srvpin[*]:-no pinning} (one core, one event loop / thread / process); dnsperf and the upstream on ${clipin[*]:-no pinning}."
echo "Loopback, UDP. $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "unbound $("$unbound" -V 2>/dev/null | head -1 | sed 's/^Version //'), $("$dnsmasq" --version | head -1 | cut -d' ' -f1-3),"
echo "dnsperf $(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null || echo '?')."
echo
"$tmp/report" -cmd "$cmdline" -dur "$dur" -names "$names" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
