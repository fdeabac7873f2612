/*
 * evrpc_bench: libevent's own evrpc in the RPC benchmark (bench/rpc).
 *
 *   evrpc_bench server PORT           serves Echo on 127.0.0.1:PORT until
 *                                     killed
 *   evrpc_bench client PORT C DUR N   keeps C calls of Echo outstanding on
 *                                     an evrpc_pool of C connections, for
 *                                     DUR seconds, or for exactly N calls
 *                                     when N > 0, checking every reply
 *
 * The client prints the line the Go client prints:
 *   calls=N bad=N errors=N seconds=S
 * and exits 1 when a call failed or was answered wrongly (or, with N > 0,
 * fewer than N calls were answered).
 *
 * Echo takes the struct echo_req of ../internal/echo/echo.rpc (string
 * text = 1; int num = 2) and answers with echo_rep (the same fields): the
 * text back and num + 1. Debian's libevent-dev has no event_rpcgen.py, so
 * the two structs (one C type here, as they have the same fields) are
 * encoded and decoded by hand with libevent's evtag functions, following
 * what event_rpcgen generates: fields in declaration order; unknown tags,
 * repeated fields and missing fields rejected.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/tag.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>

/* echo is both echo_req and echo_rep. */
struct echo {
	char *text;
	ev_uint32_t num;
	int num_set;
};

static void echo_clear(void *p)
{
	struct echo *e = p;
	free(e->text);
	memset(e, 0, sizeof(*e));
}

static void *echo_new(void *arg)
{
	(void)arg;
	return calloc(1, sizeof(struct echo));
}

static void echo_free(void *p)
{
	echo_clear(p);
	free(p);
}

static int echo_complete(void *p)
{
	struct echo *e = p;
	return e->text != NULL && e->num_set ? 0 : -1;
}

static void echo_marshal(struct evbuffer *buf, void *p)
{
	struct echo *e = p;
	evtag_marshal_string(buf, 1, e->text);
	evtag_marshal_int(buf, 2, e->num);
}

static int echo_unmarshal(void *p, struct evbuffer *buf)
{
	struct echo *e = p;
	ev_uint32_t tag;
	while (evbuffer_get_length(buf) > 0) {
		if (evtag_peek(buf, &tag) == -1)
			return -1;
		switch (tag) {
		case 1:
			if (e->text != NULL || evtag_unmarshal_string(buf, tag, &e->text) == -1)
				return -1;
			break;
		case 2:
			if (e->num_set || evtag_unmarshal_int(buf, tag, &e->num) == -1)
				return -1;
			e->num_set = 1;
			break;
		default:
			return -1;
		}
	}
	return echo_complete(e);
}

/* ---- server ---- */

static void echo_cb(struct evrpc_req_generic *req, void *arg)
{
	struct echo *in = evrpc_get_request(req);
	struct echo *out = evrpc_get_reply(req);
	(void)arg;
	out->text = strdup(in->text);
	out->num = in->num + 1;
	out->num_set = 1;
	evrpc_request_done(req);
}

static int run_server(int port)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evrpc_base *rpc;

	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
		perror("evhttp_bind_socket");
		return 1;
	}
	rpc = evrpc_init(http);
	if (evrpc_register_generic(rpc, "Echo", echo_cb, NULL,
	    echo_new, NULL, echo_free, echo_unmarshal,
	    echo_new, NULL, echo_free, echo_complete, echo_marshal) != 0) {
		fprintf(stderr, "evrpc_register_generic failed\n");
		return 1;
	}
	event_base_dispatch(base);
	return 0;
}

/* ---- client ---- */

/* The texts of ../internal/echo/echo.go's Texts, in the same order. */
static const char *const texts[] = {
	"Hello, World!",
	"",
	"x",
	"a longer request text, of about a hundred bytes, to see that lengths past one byte work too..",
};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

struct slot {
	struct echo req;
	struct echo rep;
};

static struct event_base *cbase;
static struct evrpc_pool *pool;
static struct timespec deadline;
static long want;	/* calls to make; 0: until the deadline */
static ev_uint32_t next;
static long in_flight, calls, bad, errors;

static int before_deadline(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec < deadline.tv_nsec);
}

static void reply_cb(struct evrpc_status *status, void *req, void *rpl, void *arg);

static void send_call(struct slot *s)
{
	if (want > 0 ? (long)next >= want : !before_deadline()) {
		if (in_flight == 0)
			event_base_loopbreak(cbase);
		return;
	}
	s->req.text = (char *)texts[next % NTEXTS];
	s->req.num = next;
	s->req.num_set = 1;
	next++;
	if (evrpc_send_request_generic(pool, &s->req, &s->rep, reply_cb, s, "Echo",
	    echo_marshal, echo_clear, echo_unmarshal) == -1) {
		errors++;
		if (in_flight == 0)
			event_base_loopbreak(cbase);
		return;
	}
	in_flight++;
}

static void reply_cb(struct evrpc_status *status, void *req, void *rpl, void *arg)
{
	struct slot *s = arg;
	(void)req;
	(void)rpl;
	in_flight--;
	if (status->error != EVRPC_STATUS_ERR_NONE) {
		if (errors == 0)
			fprintf(stderr, "evrpc_bench: call failed with status %d\n", status->error);
		errors++;
	} else {
		calls++;
		if (s->rep.text == NULL || strcmp(s->rep.text, s->req.text) != 0 ||
		    s->rep.num != s->req.num + 1) {
			if (bad == 0)
				fprintf(stderr, "evrpc_bench: request (\"%s\", %u) answered with (\"%s\", %u)\n",
				    s->req.text, (unsigned)s->req.num,
				    s->rep.text ? s->rep.text : "(null)", (unsigned)s->rep.num);
			bad++;
		}
	}
	echo_clear(&s->rep);
	send_call(s);
}

static int run_client(int port, int c, double dur, long n)
{
	struct timespec start, end;
	struct slot *slots;
	int i;

	/* evrpc_pool_add_connection gives the connection the pool's base and
	 * insists that it has none yet, which only the compat constructor
	 * makes; that one builds its bufferevent on the "current" base, which
	 * only event_init sets (libevent's regress tests do the same). */
	cbase = event_init();
	pool = evrpc_pool_new(cbase);
	evrpc_pool_set_timeout(pool, 10);
	for (i = 0; i < c; i++)
		evrpc_pool_add_connection(pool, evhttp_connection_new("127.0.0.1", (ev_uint16_t)port));
	slots = calloc((size_t)c, sizeof(*slots));
	want = n;
	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = start;
	deadline.tv_sec += (time_t)dur;
	deadline.tv_nsec += (long)((dur - (double)(time_t)dur) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (i = 0; i < c; i++)
		send_call(&slots[i]);
	if (in_flight > 0)
		event_base_dispatch(cbase);
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("calls=%ld bad=%ld errors=%ld seconds=%.6f\n", calls, bad, errors,
	    (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
	evrpc_pool_free(pool);
	free(slots);
	return bad > 0 || errors > 0 || (n > 0 && calls != n) ? 1 : 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return run_server(atoi(argv[2]));
	if (argc == 6 && strcmp(argv[1], "client") == 0 && atoi(argv[3]) > 0)
		return run_client(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atol(argv[5]));
	fprintf(stderr, "usage: evrpc_bench server PORT | evrpc_bench client PORT C DUR N\n");
	return 2;
}
