# lib.sh: the prologue every bench/*/run.sh shares. Sourcing it only
# defines functions; a suite sources it before or after parsing its flags:
#
#	. "$here/../internal/sh/lib.sh"
#	while [ $# -gt 0 ]; do             # the suite's own flags, then the
#		case "$1" in                   # ones every suite takes
#		-dur) dur=$2; shift ;;
#		*) bench_flag "$@"; shift "$bench_shift" ;;
#		esac
#		shift
#	done
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

# bench_flag ARGS...: reads the flag at the front of ARGS that every suite
# takes: -quick (sets quick=1), -rounds R (rounds=R), -out DIR (out=DIR).
# It sets bench_shift to the number of words after the flag it used (0 or
# 1). Any other flag ends the script with status 2.
bench_flag() {
	bench_shift=0
	case "$1" in
	-quick) quick=1 ;;
	-rounds | -out)
		[ $# -ge 2 ] || { echo "run.sh: $1 wants a value" >&2; exit 2; }
		if [ "$1" = -rounds ]; then rounds=$2; else out=$2; fi
		bench_shift=1
		;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
}

# bench_list ARRAY KIND LIST NAME...: splits the comma-separated LIST into
# the array ARRAY; ends the script with status 2 ("unknown KIND X") when an
# element X is not one of the NAMEs.
bench_list() {
	local -n bench_list_to=$1
	local kind=$2 x n known
	IFS=, read -r -a bench_list_to <<<"$3"
	shift 3
	for x in "${bench_list_to[@]}"; do
		known=0
		for n in "$@"; do [ "$x" = "$n" ] && known=1; done
		[ $known = 1 ] || { echo "run.sh: unknown $kind $x" >&2; exit 2; }
	done
}

# bench_whole N...: ends the script with status 2 unless every N is a whole
# number.
bench_whole() {
	local n
	for n in "$@"; do
		case $n in '' | *[!0-9]*) echo "run.sh: want a whole number, got '$n'" >&2; exit 2 ;; esac
	done
}

# bench_order ROUND NAME...: sets the array order to the NAMEs, last first
# in even rounds, so that the rounds run A B, B A, A B, ...
bench_order() {
	local round=$1 i
	shift
	order=("$@")
	if [ $((round % 2)) = 0 ]; then
		order=()
		for ((i = $#; i >= 1; i--)); do order+=("${!i}"); done
	fi
}

# bench_rounds NAME...: the A B / B A rounds: for each of $rounds rounds,
# for each test in the array tests, calls the suite's "run TEST NAME ROUND"
# for each NAME, in the order bench_order gives.
bench_rounds() {
	local round t name
	for round in $(seq 1 "$rounds"); do
		bench_order "$round" "$@"
		echo "run.sh: round $round of $rounds: ${order[*]}" >&2
		for t in "${tests[@]}"; do
			for name in "${order[@]}"; do run "$t" "$name" "$round"; done
		done
	done
}

# bench_measure PID CMD...: runs CMD (a load run) and puts the CPU
# ticks (bench_cputicks) process PID used meanwhile in bench_ticks. Returns
# CMD's status; bench_ticks is set only when CMD succeeds.
bench_measure() {
	local pid=$1 before after
	shift
	before=$(bench_cputicks "$pid")
	"$@" || return
	after=$(bench_cputicks "$pid")
	bench_ticks=$((after - before))
}

# bench_wait PID SECONDS CMD...: runs CMD every 50 ms until it succeeds, for
# at most SECONDS (a whole number), giving up early when process PID has
# exited. Returns 0 when CMD succeeded, 1 otherwise.
bench_wait() {
	local pid=$1 i
	local tries=$(($2 * 20))
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# bench_failed WHAT: reports on stderr that WHAT failed, with what the run
# left in $tmp/fail and the server in $tmp/srv.err, and sets failed=1.
bench_failed() {
	echo "run.sh: $1 failed:" >&2
	cat "$tmp/fail" "$tmp/srv.err" >&2 || true
	failed=1
}
