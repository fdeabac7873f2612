#!/usr/bin/env bash
# Side-by-side DNS benchmark (issue 9).
#  server:   dnsperf on CPU 0 against goevent's evdns.ServerPort, a miekg/dns
#            server and unbound (local-data), each alone on CPU 1, all serving
#            the same A records from memory. Figure: server CPU µs per query.
#  resolver: evdns.Resolver against Go's net.Resolver (PreferGo), each alone
#            on CPU 0 with 10,000 lookups in flight, against the miekg/dns
#            server on CPU 1 (loopback). Figures: lookups/s, client CPU µs per
#            lookup, memory with the lookups in flight.
# See README.md beside this file.
#
# Usage: bash dns/run.sh [-quick] [-rounds R] [-dur S] [-servers LIST]
#                        [-impls LIST] [-inflight N] [-names N] [-t LIST] [-out DIR]
#   -quick         smoke run: 1 round, 2 s runs
#   -rounds R      rounds (default 6); each runs every program once per test,
#                  in reversed order every other round (A B, B A, ...)
#   -dur S         seconds per run: dnsperf -l S, the resolver window (default 5)
#   -servers LIST  comma-separated (default goevent,miekg,unbound)
#   -impls LIST    comma-separated resolvers (default goevent,netgo)
#   -inflight N    lookups in flight in the resolver test (default 10000)
#   -names N       names in the zone (default 10000)
#   -t LIST        comma-separated tests (default server,resolver)
#   -out DIR       keep the raw per-run output in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module=$(dirname "$here") # bench/, the Go module
cmdline="cd bench && bash dns/run.sh${*:+ $*}"

quick=0 rounds="" dur="" out="" inflight=10000 names=10000
servers="goevent,miekg,unbound" impls="goevent,netgo" list="server,resolver"
while [ $# -gt 0 ]; do
	case "$1" in
	-quick) quick=1 ;;
	-rounds) rounds=$2; shift ;;
	-dur) dur=$2; shift ;;
	-servers) servers=$2; shift ;;
	-impls) impls=$2; shift ;;
	-inflight) inflight=$2; shift ;;
	-names) names=$2; shift ;;
	-t) list=$2; shift ;;
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
IFS=, read -r -a imps <<<"$impls"
IFS=, read -r -a tests <<<"$list"
for p in "${srvs[@]}"; do
	case $p in goevent | miekg | unbound) ;; *) echo "run.sh: unknown server $p" >&2; exit 2 ;; esac
done
for p in "${imps[@]}"; do
	case $p in goevent | netgo) ;; *) echo "run.sh: unknown resolver $p" >&2; exit 2 ;; esac
done
for t in "${tests[@]}"; do
	case $t in server | resolver) ;; *) echo "run.sh: unknown test $t" >&2; exit 2 ;; esac
done
for n in "$dur" "$inflight" "$names" "$rounds"; do
	case $n in '' | *[!0-9]*) echo "run.sh: want a whole number, got '$n'" >&2; exit 2 ;; esac
done

# --- tools -------------------------------------------------------------------
need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v unbound >/dev/null || [ -x /usr/sbin/unbound ] || need+=(unbound)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "run.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y "${need[@]}" >&2 ||
		{ $sudo apt-get update >&2 && $sudo apt-get install -y "${need[@]}" >&2; }
fi
command -v go >/dev/null || { echo "run.sh: go not found" >&2; exit 1; }
unbound=$(command -v unbound || echo /usr/sbin/unbound)

# --- fds: 10,000 lookups in flight may each hold a socket ----------------------
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then hard=1048576; fi
ulimit -n "$hard"

# --- build (into a temp dir: binaries never land in the tree) -----------------
tmp=$(mktemp -d)
spid="" cpid="" # the server and the client running now: the trap stops them
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
for p in goevent miekg check zonegen resolver report; do
	(cd "$module" && go build -o "$tmp/$p" "./dns/$p")
done
"$tmp/zonegen" -names "$names" -queries "$tmp/queries.txt"

srvpin=() clipin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
	srvpin=(taskset -c 1) clipin=(taskset -c 0)
fi
hz=$(getconf CLK_TCK)

# cputicks PID: utime+stime of the process (all its threads), in clock ticks.
cputicks() {
	# Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th.
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# Every server start gets a fresh port.
port=$((20000 + RANDOM % 8000))
failed=0

# start NAME: starts the server on 127.0.0.1:$port (fresh) and checks its
# answers. Sets spid.
start() {
	local name=$1 cmd=()
	port=$((port + 1))
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
	if ! "$tmp/check" -addr "127.0.0.1:$port" -names "$names" -wait 10s -v >"$tmp/check.out" 2>"$tmp/fail"; then
		return 1
	fi
	[ -f "$raw/reply_$name.txt" ] || cp "$tmp/check.out" "$raw/reply_$name.txt"
}

stop() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	fi
	spid=""
}

# serverrun NAME ROUND: dnsperf against one server.
serverrun() {
	local name=$1 round=$2 before after
	before=$(cputicks "$spid")
	"${clipin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries.txt" -l "$dur" -c 4 -q 200 -T 1 \
		>"$raw/server_${name}_$round.dnsperf" 2>"$tmp/fail" || return 1
	after=$(cputicks "$spid")
	echo "cpu_ticks=$((after - before)) hz=$hz" >"$raw/server_${name}_$round.txt"
}

# resolverrun IMPL ROUND: one resolver against the running miekg server.
resolverrun() {
	local impl=$1 round=$2 before after
	before=$(cputicks "$spid")
	"${clipin[@]}" "$tmp/resolver" -impl "$impl" -server "127.0.0.1:$port" -inflight "$inflight" \
		-names "$names" -dur "${dur}s" >"$tmp/client.out" 2>"$tmp/fail" || return 1
	after=$(cputicks "$spid")
	echo "$(cat "$tmp/client.out") hz=$hz server_ticks=$((after - before))" >"$raw/resolver_${impl}_$round.txt"
}

run() { # test name round
	local t=$1 name=$2 round=$3 ok=1 server=$2
	[ "$t" = resolver ] && server=miekg
	if start "$server"; then
		case $t in
		server) serverrun "$name" "$round" || ok=0 ;;
		resolver) resolverrun "$name" "$round" || ok=0 ;;
		esac
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

# reversed LIST...: the arguments, last first.
reversed() {
	local i a=("$@")
	for ((i = ${#a[@]} - 1; i >= 0; i--)); do echo "${a[i]}"; done
}

for round in $(seq 1 "$rounds"); do
	for t in "${tests[@]}"; do
		if [ "$t" = server ]; then order=("${srvs[@]}"); else order=("${imps[@]}"); fi
		if [ $((round % 2)) = 0 ]; then mapfile -t order < <(reversed "${order[@]}"); fi
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
"$tmp/report" -cmd "$cmdline" -dur "$dur" -names "$names" "$raw"
if [ $failed = 1 ]; then
	echo "run.sh: some runs failed (see above)" >&2
	exit 1
fi
