# lib.sh: the prologue every bench/*/run.sh shares. Source it after parsing
# flags:
#
#	. "$here/../internal/sh/lib.sh"
#	bench_need wrk:wrk nginx:nginx-light   # install what is missing
#	bench_setup                            # tmp dir, cleanup trap, pinning, fds
#
# After bench_setup:
#	$tmp        a fresh temporary directory, removed on exit
#	srvpin      the command prefix that pins a server to CPU 1 (empty on 1 CPU)
#	clipin      the command prefix that pins a load generator to CPU 0
#	hz          clock ticks per second, for bench_cputicks
#	hard        the fd limit now in force (raised to the hard limit)
# Processes a suite starts and wants stopped on exit go into bench_pids
# (bench_track PID); bench_untrack PID forgets one that was stopped already.

# bench_need CMD:PACKAGE...: installs PACKAGE with apt-get for each CMD that is
# neither on PATH nor in /usr/sbin. A CMD of "pkg-config:NAME" checks the
# pkg-config module NAME instead (e.g. pkg-config:libevent:libevent-dev).
bench_need() {
	local want=() spec cmd pkg
	for spec in "$@"; do
		cmd=${spec%%:*} pkg=${spec##*:}
		if [ "$cmd" = pkg-config ]; then
			local mod=${spec#pkg-config:}
			mod=${mod%%:*}
			command -v pkg-config >/dev/null && pkg-config --exists "$mod" && continue
			command -v pkg-config >/dev/null || want+=(pkg-config)
			want+=("$pkg")
			continue
		fi
		command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || want+=("$pkg")
	done
	if [ ${#want[@]} -gt 0 ]; then
		local sudo=""
		[ "$(id -u)" = 0 ] || sudo=sudo
		echo "run.sh: installing ${want[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		$sudo apt-get install -y "${want[@]}" >&2 ||
			{ $sudo apt-get update >&2 && $sudo apt-get install -y "${want[@]}" >&2; }
	fi
	command -v go >/dev/null || { echo "run.sh: go not found" >&2; exit 1; }
}

# bench_bin CMD: the path of CMD, looking in /usr/sbin too.
bench_bin() {
	command -v "$1" || echo "/usr/sbin/$1"
}

bench_pids=()

bench_track() { bench_pids+=("$1"); }

bench_untrack() {
	local keep=() p
	for p in "${bench_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	bench_pids=("${keep[@]}")
}

# bench_stop PID: stops a process this suite started and waits for it.
bench_stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	bench_untrack "$1"
}

bench_cleanup() {
	local p
	for p in "${bench_pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}

bench_setup() {
	hard=$(ulimit -Hn)
	if [ "$hard" = unlimited ]; then hard=1048576; fi
	ulimit -n "$hard"
	tmp=$(mktemp -d)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	srvpin=() clipin=()
	if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
		srvpin=(taskset -c 1) clipin=(taskset -c 0)
	fi
	hz=$(getconf CLK_TCK)
}

# bench_cputicks PID: utime+stime of the process (all its threads), in ticks.
bench_cputicks() {
	# Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th.
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# bench_children_ticks PID: bench_cputicks summed over PID's direct children
# (nginx's workers, for example).
bench_children_ticks() {
	local sum=0 c
	for c in $(ps --ppid "$1" -o pid=); do
		sum=$((sum + $(bench_cputicks "$c")))
	done
	echo "$sum"
}

# bench_port: a fresh loopback port number in $port on every call (a suite
# starts each server on its own port so TIME_WAIT never collides).
port=$((20000 + RANDOM % 8000))
bench_port() { port=$((port + 1)); }
