/*
 * Event-dispatch benchmark, libevent 2.1 edition: the workload of libevent's
 * test/bench.c (with the per-round re-add and 60 s timeout that libev's
 * variant of it uses), written afresh for goevent's side-by-side harness.
 *
 * N non-blocking AF_UNIX socketpairs; a persistent read event on the first
 * end of each. A callback reads one byte and, while the global write budget
 * lasts, writes one byte to the next pair (wrapping). A round re-adds every
 * event (del + add with a 60 s timeout), writes one byte to each of A evenly
 * spaced pairs, and runs the loop non-blocking until every byte written has
 * been read. Output: one line per round, the round's wall time in
 * microseconds, from the first re-add to the end of the drain (with -d:
 * from the first seed write to the end of the drain, bench.c's own timing).
 *
 * Build: cc -O2 -o bench bench.c $(pkg-config --cflags --libs libevent)
 * Usage: bench [-n pairs] [-a active] [-w writes] [-r rounds] [-d]
 *   -w defaults to the number of pairs (bench.c's default is 100).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

static int npairs = 100, nactive = 1, nwrites = -1, nrounds = 25;
static int drain_only;        /* -d: time only the drain, as bench.c does */
static int *fds;              /* fds[2*i] read end, fds[2*i+1] write end */
static struct event **evs;
static struct event_base *base;
static long count, fired, writes;

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	long next = (long)(intptr_t)arg + 1;
	unsigned char c;
	ssize_t n;

	(void)what;
	n = read(fd, &c, 1);
	if (n > 0)
		count += n;
	if (writes > 0) {
		if (next >= npairs)
			next -= npairs;
		if (write(fds[2 * next + 1], "e", 1) != 1)
			die("write");
		writes--;
		fired++;
	}
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double
round_once(void)
{
	struct timeval sixty = { 60, 0 };
	double start, drain;
	int i, space;

	start = now_us();
	for (i = 0; i < npairs; i++) {
		event_del(evs[i]);
		if (event_add(evs[i], &sixty) != 0) {
			fprintf(stderr, "bench: event_add failed\n");
			exit(1);
		}
	}
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);

	space = npairs / nactive;
	fired = 0;
	for (i = 0; i < nactive; i++, fired++)
		if (write(fds[2 * (i * space) + 1], "e", 1) != 1)
			die("write");

	count = 0;
	writes = nwrites;
	drain = now_us();
	do {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	} while (count != fired);
	if (drain_only)
		start = drain;
	return now_us() - start;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	int c, i;

	while ((c = getopt(argc, argv, "n:a:w:r:d")) != -1) {
		switch (c) {
		case 'n': npairs = atoi(optarg); break;
		case 'a': nactive = atoi(optarg); break;
		case 'w': nwrites = atoi(optarg); break;
		case 'r': nrounds = atoi(optarg); break;
		case 'd': drain_only = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n pairs] [-a active] [-w writes] [-r rounds] [-d]\n", argv[0]);
			return 2;
		}
	}
	if (nwrites < 0)
		nwrites = npairs; /* harness default: W = N (bench.c's is 100) */
	if (npairs < 1 || nactive < 1 || nactive > npairs || nrounds < 1) {
		fprintf(stderr, "bench: need 1 <= active <= pairs and rounds >= 1\n");
		return 2;
	}

	/* 2N fds plus slack; raise the soft limit as far as the hard one allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)npairs * 2 + 50) {
		rl.rlim_cur = (rlim_t)npairs * 2 + 50;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			die("setrlimit");
	}

	base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "bench: event_base_new failed\n");
		return 1;
	}
	fprintf(stderr, "libevent %s, backend %s\n", event_get_version(),
	    event_base_get_method(base));

	fds = calloc((size_t)npairs * 2, sizeof(int));
	evs = calloc((size_t)npairs, sizeof(*evs));
	if (fds == NULL || evs == NULL)
		die("calloc");
	for (i = 0; i < npairs; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, &fds[2 * i]) != 0)
			die("socketpair");
		if (evutil_make_socket_nonblocking(fds[2 * i]) != 0 ||
		    evutil_make_socket_nonblocking(fds[2 * i + 1]) != 0)
			die("nonblocking");
		evs[i] = event_new(base, fds[2 * i], EV_READ | EV_PERSIST,
		    on_read, (void *)(intptr_t)i);
		if (evs[i] == NULL) {
			fprintf(stderr, "bench: event_new failed\n");
			return 1;
		}
	}

	for (i = 0; i < nrounds; i++)
		printf("%.0f\n", round_once());
	return 0;
}
