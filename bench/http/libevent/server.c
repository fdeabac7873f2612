/*
 * libevent's C evhttp in the HTTP benchmark: evhttp_new on one event_base,
 * a general callback answering every path with 200, Content-Type:
 * text/plain and "Hello, World!" (evhttp adds Content-Length and Date and
 * keeps HTTP/1.1 connections alive). run.sh compiles it against Debian's
 * libevent-dev and pins it to one CPU.
 *
 * Connections get TCP_NODELAY, as Go's net, goevent and nginx (tcp_nodelay
 * on) give theirs. Without it, evhttp's one write per reply meets Nagle's
 * algorithm and the client's delayed ACK, and every pipelined batch of 16
 * waits about 40 ms.
 *
 * Usage: libevent-httpd -addr HOST:PORT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

static const char hello[] = "Hello, World!";

static void serve(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evbuffer_add(evhttp_request_get_output_buffer(req), hello, sizeof(hello) - 1);
	evhttp_send_reply(req, 200, "OK", NULL);
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1:8080";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-addr") == 0 && i + 1 < argc) {
			addr = argv[++i];
		} else {
			fprintf(stderr, "usage: %s -addr HOST:PORT\n", argv[0]);
			return 2;
		}
	}
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host)) {
		fprintf(stderr, "libevent: bad -addr %s\n", addr);
		return 2;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	int port = atoi(colon + 1);

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);

	struct event_base *base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "libevent: event_base_new failed\n");
		return 1;
	}
	struct evhttp *http = evhttp_new(base);
	if (http == NULL) {
		fprintf(stderr, "libevent: evhttp_new failed\n");
		return 1;
	}
	evhttp_set_gencb(http, serve, NULL);
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
	if (bound == NULL) {
		fprintf(stderr, "libevent: cannot listen on %s\n", addr);
		return 1;
	}
	/* Accepted sockets inherit TCP_NODELAY from the listener on Linux. */
	int one = 1;
	if (setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
		perror("libevent: TCP_NODELAY");
		return 1;
	}
	event_base_dispatch(base);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
