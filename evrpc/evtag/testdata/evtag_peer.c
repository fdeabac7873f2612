/*
 * evtag_peer: libevent's own evtag functions, driven line by line from
 * stdin by evtag's Go tests (peer_test.go). Each input line is a command;
 * each produces exactly one output line. Numbers are decimal, byte
 * strings are hex ("-" for none).
 *
 * Encoding (prints the hex of what libevent wrote):
 *   tag N | int N | int64 N                evtag_encode_tag / _int / _int64
 *   mint T N | mint64 T N                  evtag_marshal_int / _int64
 *   mstring T HEX | mbytes T HEX           evtag_marshal_string / evtag_marshal
 *   mtimeval T SEC USEC                    evtag_marshal_timeval
 * Decoding (prints "ok ..." or "err"):
 *   dtag HEX | dint HEX | dint64 HEX       evtag_decode_*: "ok VALUE CONSUMED"
 *   uint T HEX | uint64 T HEX              evtag_unmarshal_int / _int64: "ok VALUE"
 *   ustring T HEX                          evtag_unmarshal_string: "ok HEX"
 *   ufixed T N HEX                         evtag_unmarshal_fixed: "ok HEX"
 *   utimeval T HEX                         evtag_unmarshal_timeval: "ok SEC USEC"
 *   peek HEX                               evtag_peek, evtag_peek_length,
 *                                          evtag_payload_length: "TAG TOTAL LEN"
 *                                          with "err" for each that fails
 *   consume HEX                            evtag_consume: "ok REMAINING"
 *   outer HEX                              decode struct outer as event_rpcgen's
 *                                          generated code does, then marshal it
 *                                          again: "ok HEX"
 *
 * struct outer and struct inner are, in .rpc syntax:
 *   struct inner { string name = 1; optional int64 big = 2; array int nums = 3; }
 *   struct outer { int a = 1; int b = 2; int64 c = 3; string s = 4; bytes raw = 5;
 *     bytes fixed[4] = 6; optional int oi = 7; optional string os = 0x10121;
 *     optional bytes ob = 9; optional struct[inner] oin = 10; struct[inner] req = 11;
 *     array struct[inner] ins = 12; array string strs = 13; array int64 bigs = 200; }
 * Debian's libevent-dev has no event_rpcgen.py, so the code below is
 * written by hand after what it generates (peek, switch on the tag,
 * reject duplicates and unknown tags, check required fields at the end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/time.h>

#include <event2/buffer.h>
#include <event2/tag.h>

/* Exported by libevent but declared in no installed header. */
int evtag_encode_tag(struct evbuffer *evbuf, ev_uint32_t tag);
int evtag_decode_tag(ev_uint32_t *ptag, struct evbuffer *evbuf);
int evtag_decode_int(ev_uint32_t *pnumber, struct evbuffer *evbuf);
int evtag_decode_int64(ev_uint64_t *pnumber, struct evbuffer *evbuf);

static void
print_hex(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	unsigned char *p = evbuffer_pullup(b, -1);
	size_t i;
	if (n == 0)
		fputs("-", stdout);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void
print_raw_hex(const unsigned char *p, size_t n)
{
	size_t i;
	if (n == 0)
		fputs("-", stdout);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* from_hex decodes s into a new evbuffer. */
static struct evbuffer *
from_hex(const char *s)
{
	struct evbuffer *b = evbuffer_new();
	size_t i, n;
	if (strcmp(s, "-") == 0)
		return b;
	n = strlen(s);
	for (i = 0; i + 1 < n; i += 2) {
		unsigned int x;
		sscanf(s + i, "%2x", &x);
		unsigned char c = (unsigned char)x;
		evbuffer_add(b, &c, 1);
	}
	return b;
}

struct inner {
	char *name;
	int name_set;
	ev_uint64_t big;
	int big_set;
	ev_uint32_t *nums;
	int nums_len;
};

struct outer {
	ev_uint32_t a, b;
	ev_uint64_t c;
	char *s;
	unsigned char *raw;
	ev_uint32_t raw_len;
	unsigned char fixed[4];
	ev_uint32_t oi;
	char *os;
	unsigned char *ob;
	ev_uint32_t ob_len;
	struct inner *oin;
	struct inner *req;
	struct inner **ins;
	int ins_len;
	char **strs;
	int strs_len;
	ev_uint64_t *bigs;
	int bigs_len;
	int a_set, b_set, c_set, s_set, raw_set, fixed_set, oi_set, os_set, ob_set,
	    oin_set, req_set;
};

static int
inner_unmarshal(struct inner *m, struct evbuffer *b)
{
	ev_uint32_t tag;
	while (evbuffer_get_length(b) > 0) {
		if (evtag_peek(b, &tag) == -1)
			return -1;
		switch (tag) {
		case 1:
			if (m->name_set)
				return -1;
			if (evtag_unmarshal_string(b, 1, &m->name) == -1)
				return -1;
			m->name_set = 1;
			break;
		case 2:
			if (m->big_set)
				return -1;
			if (evtag_unmarshal_int64(b, 2, &m->big) == -1)
				return -1;
			m->big_set = 1;
			break;
		case 3:
			m->nums = realloc(m->nums, sizeof(*m->nums) * (m->nums_len + 1));
			if (evtag_unmarshal_int(b, 3, &m->nums[m->nums_len]) == -1)
				return -1;
			m->nums_len++;
			break;
		default:
			return -1;
		}
	}
	if (!m->name_set) /* inner_complete */
		return -1;
	return 0;
}

/* evtag_unmarshal_inner: the nested element's payload into a fresh struct. */
static struct inner *
unmarshal_inner(struct evbuffer *b, ev_uint32_t need_tag)
{
	ev_uint32_t tag;
	struct inner *m = calloc(1, sizeof(*m));
	struct evbuffer *tmp = evbuffer_new();
	int res = -1;
	if (evtag_unmarshal(b, &tag, tmp) == -1 || tag != need_tag)
		goto done;
	if (inner_unmarshal(m, tmp) == -1)
		goto done;
	res = 0;
done:
	evbuffer_free(tmp);
	return res == 0 ? m : NULL;
}

static void
inner_marshal(struct evbuffer *b, const struct inner *m)
{
	int i;
	evtag_marshal_string(b, 1, m->name);
	if (m->big_set)
		evtag_marshal_int64(b, 2, m->big);
	for (i = 0; i < m->nums_len; i++)
		evtag_marshal_int(b, 3, m->nums[i]);
}

static void
marshal_inner(struct evbuffer *b, ev_uint32_t tag, const struct inner *m)
{
	struct evbuffer *tmp = evbuffer_new();
	inner_marshal(tmp, m);
	evtag_marshal_buffer(b, tag, tmp);
	evbuffer_free(tmp);
}

/* var_bytes reads a variable bytes field as the generated code does. */
static int
var_bytes(struct evbuffer *b, ev_uint32_t tag, unsigned char **p, ev_uint32_t *n)
{
	if (evtag_payload_length(b, n) == -1)
		return -1;
	if (*n > evbuffer_get_length(b))
		return -1;
	if ((*p = malloc(*n + 1)) == NULL)
		return -1;
	if (evtag_unmarshal_fixed(b, tag, *p, *n) == -1)
		return -1;
	return 0;
}

static int
outer_unmarshal(struct outer *m, struct evbuffer *b)
{
	ev_uint32_t tag;
	while (evbuffer_get_length(b) > 0) {
		if (evtag_peek(b, &tag) == -1)
			return -1;
		switch (tag) {
		case 1:
			if (m->a_set || evtag_unmarshal_int(b, 1, &m->a) == -1)
				return -1;
			m->a_set = 1;
			break;
		case 2:
			if (m->b_set || evtag_unmarshal_int(b, 2, &m->b) == -1)
				return -1;
			m->b_set = 1;
			break;
		case 3:
			if (m->c_set || evtag_unmarshal_int64(b, 3, &m->c) == -1)
				return -1;
			m->c_set = 1;
			break;
		case 4:
			if (m->s_set || evtag_unmarshal_string(b, 4, &m->s) == -1)
				return -1;
			m->s_set = 1;
			break;
		case 5:
			if (m->raw_set || var_bytes(b, 5, &m->raw, &m->raw_len) == -1)
				return -1;
			m->raw_set = 1;
			break;
		case 6:
			if (m->fixed_set || evtag_unmarshal_fixed(b, 6, m->fixed, 4) == -1)
				return -1;
			m->fixed_set = 1;
			break;
		case 7:
			if (m->oi_set || evtag_unmarshal_int(b, 7, &m->oi) == -1)
				return -1;
			m->oi_set = 1;
			break;
		case 0x10121:
			if (m->os_set || evtag_unmarshal_string(b, 0x10121, &m->os) == -1)
				return -1;
			m->os_set = 1;
			break;
		case 9:
			if (m->ob_set || var_bytes(b, 9, &m->ob, &m->ob_len) == -1)
				return -1;
			m->ob_set = 1;
			break;
		case 10:
			if (m->oin_set || (m->oin = unmarshal_inner(b, 10)) == NULL)
				return -1;
			m->oin_set = 1;
			break;
		case 11:
			if (m->req_set || (m->req = unmarshal_inner(b, 11)) == NULL)
				return -1;
			m->req_set = 1;
			break;
		case 12:
			m->ins = realloc(m->ins, sizeof(*m->ins) * (m->ins_len + 1));
			if ((m->ins[m->ins_len] = unmarshal_inner(b, 12)) == NULL)
				return -1;
			m->ins_len++;
			break;
		case 13:
			m->strs = realloc(m->strs, sizeof(*m->strs) * (m->strs_len + 1));
			if (evtag_unmarshal_string(b, 13, &m->strs[m->strs_len]) == -1)
				return -1;
			m->strs_len++;
			break;
		case 200:
			m->bigs = realloc(m->bigs, sizeof(*m->bigs) * (m->bigs_len + 1));
			if (evtag_unmarshal_int64(b, 200, &m->bigs[m->bigs_len]) == -1)
				return -1;
			m->bigs_len++;
			break;
		default:
			return -1;
		}
	}
	/* outer_complete */
	if (!m->a_set || !m->b_set || !m->c_set || !m->s_set || !m->raw_set ||
	    !m->fixed_set || !m->req_set)
		return -1;
	return 0;
}

static void
outer_marshal(struct evbuffer *b, const struct outer *m)
{
	int i;
	evtag_marshal_int(b, 1, m->a);
	evtag_marshal_int(b, 2, m->b);
	evtag_marshal_int64(b, 3, m->c);
	evtag_marshal_string(b, 4, m->s);
	evtag_marshal(b, 5, m->raw, m->raw_len);
	evtag_marshal(b, 6, m->fixed, 4);
	if (m->oi_set)
		evtag_marshal_int(b, 7, m->oi);
	if (m->os_set)
		evtag_marshal_string(b, 0x10121, m->os);
	if (m->ob_set)
		evtag_marshal(b, 9, m->ob, m->ob_len);
	if (m->oin_set)
		marshal_inner(b, 10, m->oin);
	marshal_inner(b, 11, m->req);
	for (i = 0; i < m->ins_len; i++)
		marshal_inner(b, 12, m->ins[i]);
	for (i = 0; i < m->strs_len; i++)
		evtag_marshal_string(b, 13, m->strs[i]);
	for (i = 0; i < m->bigs_len; i++)
		evtag_marshal_int64(b, 200, m->bigs[i]);
}

/* string_of decodes hex into a NUL-terminated string. */
static char *
string_of(const char *hex)
{
	struct evbuffer *b = from_hex(hex);
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

static void
run(char *line)
{
	char cmd[32];
	char *hex;
	unsigned long long x, y, z;
	struct evbuffer *out = evbuffer_new(), *in = NULL;
	size_t before;

	/* The hex argument is always last and may be long. */
	hex = strrchr(line, ' ');
	hex = hex ? hex + 1 : line;
	if (sscanf(line, "%31s", cmd) != 1)
		goto done;

	if (strcmp(cmd, "tag") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		evtag_encode_tag(out, (ev_uint32_t)x);
		print_hex(out);
	} else if (strcmp(cmd, "int") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		evtag_encode_int(out, (ev_uint32_t)x);
		print_hex(out);
	} else if (strcmp(cmd, "int64") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		evtag_encode_int64(out, (ev_uint64_t)x);
		print_hex(out);
	} else if (strcmp(cmd, "mint") == 0 && sscanf(line, "%*s %llu %llu", &x, &y) == 2) {
		evtag_marshal_int(out, (ev_uint32_t)x, (ev_uint32_t)y);
		print_hex(out);
	} else if (strcmp(cmd, "mint64") == 0 && sscanf(line, "%*s %llu %llu", &x, &y) == 2) {
		evtag_marshal_int64(out, (ev_uint32_t)x, (ev_uint64_t)y);
		print_hex(out);
	} else if (strcmp(cmd, "mstring") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		char *s = string_of(hex);
		evtag_marshal_string(out, (ev_uint32_t)x, s);
		free(s);
		print_hex(out);
	} else if (strcmp(cmd, "mbytes") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		in = from_hex(hex);
		evtag_marshal(out, (ev_uint32_t)x, evbuffer_pullup(in, -1), evbuffer_get_length(in));
		print_hex(out);
	} else if (strcmp(cmd, "mtimeval") == 0 && sscanf(line, "%*s %llu %llu %llu", &x, &y, &z) == 3) {
		struct timeval tv;
		tv.tv_sec = (time_t)y;
		tv.tv_usec = (suseconds_t)z;
		evtag_marshal_timeval(out, (ev_uint32_t)x, &tv);
		print_hex(out);
	} else if (strcmp(cmd, "dtag") == 0) {
		ev_uint32_t v;
		in = from_hex(hex);
		before = evbuffer_get_length(in);
		if (evtag_decode_tag(&v, in) == -1)
			fputs("err", stdout);
		else
			printf("ok %" PRIu32 " %zu", v, before - evbuffer_get_length(in));
	} else if (strcmp(cmd, "dint") == 0) {
		ev_uint32_t v;
		in = from_hex(hex);
		before = evbuffer_get_length(in);
		if (evtag_decode_int(&v, in) == -1)
			fputs("err", stdout);
		else
			printf("ok %" PRIu32 " %zu", v, before - evbuffer_get_length(in));
	} else if (strcmp(cmd, "dint64") == 0) {
		ev_uint64_t v;
		in = from_hex(hex);
		before = evbuffer_get_length(in);
		if (evtag_decode_int64(&v, in) == -1)
			fputs("err", stdout);
		else
			printf("ok %" PRIu64 " %zu", v, before - evbuffer_get_length(in));
	} else if (strcmp(cmd, "uint") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		ev_uint32_t v;
		in = from_hex(hex);
		if (evtag_unmarshal_int(in, (ev_uint32_t)x, &v) == -1)
			fputs("err", stdout);
		else
			printf("ok %" PRIu32, v);
	} else if (strcmp(cmd, "uint64") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		ev_uint64_t v;
		in = from_hex(hex);
		if (evtag_unmarshal_int64(in, (ev_uint32_t)x, &v) == -1)
			fputs("err", stdout);
		else
			printf("ok %" PRIu64, v);
	} else if (strcmp(cmd, "ustring") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		char *s = NULL;
		in = from_hex(hex);
		if (evtag_unmarshal_string(in, (ev_uint32_t)x, &s) == -1) {
			fputs("err", stdout);
		} else {
			fputs("ok ", stdout);
			print_raw_hex((unsigned char *)s, strlen(s));
			free(s);
		}
	} else if (strcmp(cmd, "ufixed") == 0 && sscanf(line, "%*s %llu %llu", &x, &y) == 2) {
		unsigned char *p = malloc(y + 1);
		in = from_hex(hex);
		if (evtag_unmarshal_fixed(in, (ev_uint32_t)x, p, (size_t)y) == -1) {
			fputs("err", stdout);
		} else {
			fputs("ok ", stdout);
			print_raw_hex(p, (size_t)y);
		}
		free(p);
	} else if (strcmp(cmd, "utimeval") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
		struct timeval tv;
		in = from_hex(hex);
		if (evtag_unmarshal_timeval(in, (ev_uint32_t)x, &tv) == -1)
			fputs("err", stdout);
		else
			printf("ok %lld %lld", (long long)tv.tv_sec, (long long)tv.tv_usec);
	} else if (strcmp(cmd, "peek") == 0) {
		ev_uint32_t v;
		in = from_hex(hex);
		if (evtag_peek(in, &v) == -1)
			fputs("err", stdout);
		else
			printf("%" PRIu32, v);
		if (evtag_peek_length(in, &v) == -1)
			fputs(" err", stdout);
		else
			printf(" %" PRIu32, v);
		if (evtag_payload_length(in, &v) == -1)
			fputs(" err", stdout);
		else
			printf(" %" PRIu32, v);
	} else if (strcmp(cmd, "consume") == 0) {
		in = from_hex(hex);
		if (evtag_consume(in) == -1)
			fputs("err", stdout);
		else
			printf("ok %zu", evbuffer_get_length(in));
	} else if (strcmp(cmd, "outer") == 0) {
		struct outer m;
		memset(&m, 0, sizeof(m));
		in = from_hex(hex);
		if (outer_unmarshal(&m, in) == -1) {
			fputs("err", stdout);
		} else {
			outer_marshal(out, &m);
			fputs("ok ", stdout);
			print_hex(out);
		}
		/* The process is short-lived: decoded values are not freed. */
	} else {
		fputs("?", stdout);
	}
done:
	putchar('\n');
	fflush(stdout);
	evbuffer_free(out);
	if (in)
		evbuffer_free(in);
}

int
main(void)
{
	size_t cap = 0;
	ssize_t n;
	char *line = NULL;

	evtag_init();
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		run(line);
	}
	free(line);
	return 0;
}
