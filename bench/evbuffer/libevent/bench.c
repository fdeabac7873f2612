/*
 * evbuffer benchmark, libevent 2.1 edition: the C side of goevent's
 * side-by-side evbuffer harness (bench/evbuffer). The Go programs beside
 * this file run the same workloads on goevent's evbuffer, bytes.Buffer and
 * bufio; README.md describes each workload.
 *
 * Build: cc -O2 -o bench bench.c $(pkg-config --cflags --libs libevent)
 * Usage: bench -w small|large|move|readln|search|writev [-r rounds]
 * Output: one line per round, nanoseconds per operation. A check of the
 * result (bytes seen, lines read, needle position) failing exits 1.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <event2/buffer.h>
#include <event2/event.h>

/* Workload sizes: keep in step with internal/workload/workload.go. */
#define SMALL_SIZE 64
#define SMALL_OPS (1 << 20)
#define SMALL_BATCH 16
#define LARGE_SIZE (64 << 10)
#define LARGE_OPS 4096
#define LARGE_BATCH 4
#define MOVE_CHUNK (16 << 10)
#define MOVE_CHAINS 64
#define MOVE_OPS (1 << 16)
#define READLN_LINES (1 << 20)
#define LINE_PAYLOAD 38
#define FILL_CHUNK 4096
#define SEARCH_SIZE (16 << 20)
#define SEARCH_OPS 4
#define WRITEV_SIZE (1 << 20)
#define WRITEV_CHUNK 4096
#define WRITEV_OPS 64

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* xorshift32, the same sequence as workload.go's letters. */
static uint32_t rng = 2463534242u;
static char
letter(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return 'a' + rng % 26;
}

/* lines: n lines of LINE_PAYLOAD letters and CRLF. */
static char *
make_lines(size_t n, size_t *len)
{
	char *p = malloc(n * (LINE_PAYLOAD + 2)), *q = p;
	size_t i, j;

	if (!p)
		die("malloc");
	for (i = 0; i < n; i++) {
		for (j = 0; j < LINE_PAYLOAD; j++)
			*q++ = letter();
		*q++ = '\r';
		*q++ = '\n';
	}
	*len = q - p;
	return p;
}

/* search data: SEARCH_SIZE bytes of CRLF lines whose only "\r\n\r\n" is
 * the last four bytes. */
static char *
make_search(void)
{
	char *p = malloc(SEARCH_SIZE), *q = p, *end = p + SEARCH_SIZE;
	int j;

	if (!p)
		die("malloc");
	while (end - q > 80) {
		for (j = 0; j < LINE_PAYLOAD; j++)
			*q++ = letter();
		*q++ = '\r';
		*q++ = '\n';
	}
	while (end - q > 4)
		*q++ = letter();
	memcpy(q, "\r\n\r\n", 4);
	return p;
}

static void
fill(struct evbuffer *b, const char *p, size_t len)
{
	size_t off, k;

	for (off = 0; off < len; off += k) {
		k = len - off < FILL_CHUNK ? len - off : FILL_CHUNK;
		if (evbuffer_add(b, p + off, k) < 0)
			die("evbuffer_add");
	}
}

static double
run_small(struct evbuffer *b)
{
	static char p[SMALL_SIZE];
	double start = now_ns();
	int i;

	for (i = 0; i < SMALL_OPS; i++) {
		evbuffer_add(b, p, SMALL_SIZE);
		if ((i + 1) % SMALL_BATCH == 0)
			evbuffer_drain(b, SMALL_SIZE * SMALL_BATCH);
	}
	start = now_ns() - start;
	if (evbuffer_get_length(b) != 0)
		die("small: buffer not empty");
	return start / SMALL_OPS;
}

static double
run_large(struct evbuffer *b)
{
	static char p[LARGE_SIZE];
	double start = now_ns();
	int i;

	for (i = 0; i < LARGE_OPS; i++) {
		evbuffer_add(b, p, LARGE_SIZE);
		if ((i + 1) % LARGE_BATCH == 0)
			evbuffer_drain(b, (size_t)LARGE_SIZE * LARGE_BATCH);
	}
	start = now_ns() - start;
	if (evbuffer_get_length(b) != 0)
		die("large: buffer not empty");
	return start / LARGE_OPS;
}

static double
run_move(struct evbuffer *a, struct evbuffer *tmp)
{
	double start = now_ns();
	int i;

	for (i = 0; i < MOVE_OPS; i++) {
		if (evbuffer_remove_buffer(a, tmp, MOVE_CHUNK) != MOVE_CHUNK)
			die("evbuffer_remove_buffer");
		evbuffer_add_buffer(a, tmp);
	}
	start = now_ns() - start;
	if (evbuffer_get_length(a) != (size_t)MOVE_CHUNK * MOVE_CHAINS)
		die("move: wrong length");
	return start / MOVE_OPS;
}

static double
run_readln(struct evbuffer *b, const char *data, size_t len)
{
	double start;
	size_t n, total = 0;
	long lines = 0;
	char *line;

	fill(b, data, len); /* not timed */
	start = now_ns();
	while ((line = evbuffer_readln(b, &n, EVBUFFER_EOL_CRLF)) != NULL) {
		total += n;
		lines++;
		free(line);
	}
	start = now_ns() - start;
	if (lines != READLN_LINES || total != (size_t)READLN_LINES * LINE_PAYLOAD)
		die("readln: wrong line count");
	return start / READLN_LINES;
}

static double
run_search(struct evbuffer *b)
{
	double start = now_ns();
	struct evbuffer_ptr p;
	int i;

	for (i = 0; i < SEARCH_OPS; i++) {
		p = evbuffer_search(b, "\r\n\r\n", 4, NULL);
		if (p.pos != SEARCH_SIZE - 4)
			die("search: wrong position");
	}
	return (now_ns() - start) / SEARCH_OPS;
}

/* reader starts cat(1) with fd as its stdin and /dev/null as its stdout:
 * the Go programs start the same reader, so only the writing side differs. */
static pid_t
reader(int fd, int other)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(fd, 0) < 0 || dup2(null, 1) < 0)
			_exit(127);
		close(other);
		execlp("cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(fd);
	return pid;
}

static double
run_writev(struct evbuffer *b, int fd)
{
	static char chunk[WRITEV_CHUNK];
	double total = 0, start;
	struct pollfd pfd = { fd, POLLOUT, 0 };
	int i, j;

	for (i = 0; i < WRITEV_OPS; i++) {
		for (j = 0; j < WRITEV_SIZE / WRITEV_CHUNK; j++) /* not timed */
			evbuffer_add(b, chunk, WRITEV_CHUNK);
		start = now_ns();
		while (evbuffer_get_length(b) > 0) {
			if (evbuffer_write(b, fd) < 0) {
				if (errno != EAGAIN && errno != EINTR)
					die("evbuffer_write");
				poll(&pfd, 1, -1);
			}
		}
		total += now_ns() - start;
	}
	return total / WRITEV_OPS;
}

int
main(int argc, char **argv)
{
	const char *w = NULL;
	int rounds = 7, i, opt, sv[2] = { -1, -1 };
	struct evbuffer *b = evbuffer_new(), *tmp = evbuffer_new();
	char *data = NULL;
	size_t len = 0;
	pid_t pid = -1;
	int status;

	while ((opt = getopt(argc, argv, "w:r:")) != -1) {
		switch (opt) {
		case 'w': w = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench -w small|large|move|readln|search|writev [-r rounds]\n");
			return 2;
		}
	}
	if (!w || rounds < 1 || !b || !tmp) {
		fprintf(stderr, "usage: bench -w small|large|move|readln|search|writev [-r rounds]\n");
		return 2;
	}
	fprintf(stderr, "libevent %s evbuffer\n", event_get_version());

	if (!strcmp(w, "move")) {
		static char chunk[MOVE_CHUNK];
		for (i = 0; i < MOVE_CHAINS; i++) { /* one chain each */
			evbuffer_add(tmp, chunk, MOVE_CHUNK);
			evbuffer_add_buffer(b, tmp);
		}
	} else if (!strcmp(w, "readln")) {
		data = make_lines(READLN_LINES, &len);
	} else if (!strcmp(w, "search")) {
		data = make_search();
		fill(b, data, SEARCH_SIZE);
	} else if (!strcmp(w, "writev")) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			die("socketpair");
		if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) < 0)
			die("fcntl");
		pid = reader(sv[1], sv[0]);
	} else if (strcmp(w, "small") && strcmp(w, "large")) {
		fprintf(stderr, "bench: unknown workload %s\n", w);
		return 2;
	}

	for (i = 0; i < rounds; i++) {
		double ns = 0;
		if (!strcmp(w, "small")) ns = run_small(b);
		else if (!strcmp(w, "large")) ns = run_large(b);
		else if (!strcmp(w, "move")) ns = run_move(b, tmp);
		else if (!strcmp(w, "readln")) ns = run_readln(b, data, len);
		else if (!strcmp(w, "search")) ns = run_search(b);
		else if (!strcmp(w, "writev")) ns = run_writev(b, sv[0]);
		printf("%.2f\n", ns);
		fflush(stdout);
	}
	if (pid > 0) {
		close(sv[0]);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("reader cat");
	}
	evbuffer_free(b);
	evbuffer_free(tmp);
	free(data);
	return 0;
}
