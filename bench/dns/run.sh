#!/usr/bin/env bash
# Side-by-side DNS benchmark (issue 9).
#  server:   dnsperf on CPU 0 against goevent's evdns.ServerPort, a miekg/dns
#            server and unbound (local-data), each alone on CPU 1, all serving
#            the same A records from memory. Figure: server CPU µs per query.
#  resolver: evdns.Resolver against Go's net.Resolver (PreferGo), each alone
#            on CPU 0 with 10,000 lookups in flight, against the same server
#            on CPU 1 (loopback; goevent's by default). Figures: lookups/s,
#            client CPU µs per lookup, peak RSS and memory per lookup with
#            the lookups in flight.
# See README.md beside this file.
#
# Usage: bash dns/run.sh [-quick] [-rounds R] [-dur S] [-servers LIST]
#                        [-impls LIST] [-upstream S] [-inflight N] [-names N]
#                        [-t LIST] [-out DIR]
#   -quick         smoke run: 1 round, 2 s runs
#   -rounds R      rounds (default 6); each runs every program once per test,
#                  in reversed order every other round (A B, B A, ...)
#   -dur S         seconds per run: dnsperf -l S, the resolver window (default 5)
#   -servers LIST  comma-separated (default goevent,miekg,unbound)
#   -impls LIST    comma-separated resolvers (default goevent,netgo)
#   -upstream S    the server the resolvers ask: goevent (default), miekg
#                  or unbound
#   -inflight N    lookups in flight in the resolver test (default 10000)
#   -names N       names in the zone (default 10000)
#   -t LIST        comma-separated tests (default server,resolver)
#   -out DIR       keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash dns/run.sh${*:+ $*}"

quick=0 rounds="" dur="" out="" inflight=10000 names=10000
servers="goevent,miekg,unbound" impls="goevent,netgo" upstream=goevent list="server,resolver"
. "$here/../internal/sh/lib.sh"
while [ $# -gt 0 ]; do
	case "$1" in
	-dur) dur=$2; shift ;;
	-servers) servers=$2; shift ;;
	-impls) impls=$2; shift ;;
	-upstream) upstream=$2; shift ;;
	-inflight) inflight=$2; shift ;;
	-names) names=$2; shift ;;
	-t) list=$2; shift ;;
	*) bench_flag "$@"; shift "$bench_shift" ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	: "${rounds:=1}" "${dur:=2}"
else
	: "${rounds:=6}" "${dur:=5}"
fi
IFS=, read -r -a srvs <<<"$servers"
IFS=, read -r -a imps <<<"$impls"
IFS=, read -r -a tests <<<"$list"
for p in "${srvs[@]}"; do
	case $p in goevent | miekg | unbound) ;; *) echo "run.sh: unknown server $p" >&2; exit 2 ;; esac
done
case $upstream in goevent | miekg | unbound) ;; *) echo "run.sh: unknown upstream $upstream" >&2; exit 2 ;; esac
for p in "${imps[@]}"; do
	case $p in goevent | netgo) ;; *) echo "run.sh: unknown resolver $p" >&2; exit 2 ;; esac
done
for t in "${tests[@]}"; do
	case $t in server | resolver) ;; *) echo "run.sh: unknown test $t" >&2; exit 2 ;; esac
done
bench_whole "$dur" "$inflight" "$names" "$rounds"

bench_need dnsperf:dnsperf unbound:unbound
bench_setup # $tmp, the exit trap, srvpin/clipin, $hz, fds raised (lookups in flight hold sockets)
unbound=$(bench_bin unbound)

# --- build (into $tmp: binaries never land in the tree) ------------------------
raw=${out:-$tmp/raw}
mkdir -p "$raw"
for p in goevent miekg check zonegen resolver report; do
	(cd "$module" && go build -o "$tmp/$p" "./dns/$p")
done
"$tmp/zonegen" -names "$names" -queries "$tmp/queries.txt"

spid="" # the server running now
failed=0

# start NAME: starts the server on 127.0.0.1:$port (fresh) and checks its
# answers. Sets spid.
start() {
	local name=$1 cmd=()
	bench_port
	case $name in
	unbound)
		mkdir -p "$tmp/unbound"
		"$tmp/zonegen" -names "$names" -unbound "$tmp/unbound/unbound.conf" \
			-addr 127.0.0.1 -port "$port" -dir "$tmp/unbound"
		cmd=("$unbound" -d -c "$tmp/unbound/unbound.conf")
		;;
	*) cmd=("$tmp/$name" -addr "127.0.0.1:$port" -names "$names") ;;
	esac
	"${srvpin[@]}" "${cmd[@]}" >"$tmp/srv.out" 2>"$tmp/srv.err" &
	spid=$!
	bench_track "$spid"
	if ! "$tmp/check" -addr "127.0.0.1:$port" -names "$names" -wait 10s -v >"$tmp/check.out" 2>"$tmp/fail"; then
		return 1
	fi
	[ -f "$raw/reply_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_$name.txt"
}

stop() {
	bench_stop "$spid"
	spid=""
}

# serverrun NAME ROUND: dnsperf against one server.
serverrun() {
	local name=$1 round=$2
	bench_measure "$spid" "${clipin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries.txt" -l "$dur" -c 4 -q 200 -T 1 \
		>"$raw/server_${name}_$round.dnsperf" 2>"$tmp/fail" || return 1
	echo "cpu_ticks=$bench_ticks hz=$hz" >"$raw/server_${name}_$round.txt"
}

# resolverrun IMPL ROUND: one resolver against the running upstream server.
resolverrun() {
	local impl=$1 round=$2
	bench_measure "$spid" "${clipin[@]}" "$tmp/resolver" -impl "$impl" -server "127.0.0.1:$port" -inflight "$inflight" \
		-names "$names" -dur "${dur}s" >"$tmp/client.out" 2>"$tmp/fail" || return 1
	echo "$(cat "$tmp/client.out") hz=$hz server_ticks=$bench_ticks" >"$raw/resolver_${impl}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3 ok=1 server=$2
	[ "$t" = resolver ] && server=$upstream
	if start "$server"; then
		case $t in
		server) serverrun "$name" "$round" || ok=0 ;;
		resolver) resolverrun "$name" "$round" || ok=0 ;;
		esac
	else
		ok=0
	fi
	[ $ok = 1 ] || bench_failed "$t $name (round $round)"
	stop
}

for round in $(seq 1 "$rounds"); do
	for t in "${tests[@]}"; do
		if [ "$t" = server ]; then bench_order "$round" "${srvs[@]}"; else bench_order "$round" "${imps[@]}"; fi
		echo "run.sh: round $round of $rounds, $t: ${order[*]}" >&2
		for p in "${order[@]}"; do run "$t" "$p" "$round"; done
	done
done

echo
echo "DNS side by side: median of $rounds rounds (min–max). Servers alone on ${srvpin[*]:-no pinning} (one core; GOMAXPROCS"
echo "from the affinity mask), dnsperf and the resolvers on ${clipin[*]:-no pinning}. Loopback, UDP."
echo "$(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
echo "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $(go version | cut -d' ' -f3),"
echo "unbound $("$unbound" -V 2>/dev/null | head -1 | sed "s/^Version //"), dnsperf $(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null || echo '?')."
echo
"$tmp/report" -cmd "$cmdline" -dur "$dur" -names "$names" -upstream "$upstream" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
