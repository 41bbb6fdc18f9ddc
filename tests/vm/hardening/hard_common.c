// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Helpers shared by the procinfo-hard subcommands: errors, options, a
 * seeded random generator, the device snapshot reader and its structural
 * check, a strict RFC 8259 checker of the JSON documents, file slurping.
 * An independent oracle: none of it comes from the SDK or the driver.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hard.h"

const char *prog = "procinfo-hard";

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: FAIL: ", prog);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: reproducible from the seed */
uint64_t rng_state;
uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

long opt_long(int *argc, char ***argv, const char *name, long def)
{
	for (int i = 0; i < *argc - 1; i++) {
		if (!strcmp((*argv)[i], name)) {
			long v = strtol((*argv)[i + 1], NULL, 0);

			memmove(&(*argv)[i], &(*argv)[i + 2],
				(*argc - i - 2) * sizeof(char *));
			*argc -= 2;
			return v;
		}
	}
	return def;
}

const char *opt_str(int *argc, char ***argv, const char *name)
{
	for (int i = 0; i < *argc - 1; i++) {
		if (!strcmp((*argv)[i], name)) {
			const char *v = (*argv)[i + 1];

			memmove(&(*argv)[i], &(*argv)[i + 2],
				(*argc - i - 2) * sizeof(char *));
			*argc -= 2;
			return v;
		}
	}
	return NULL;
}

bool opt_flag(int *argc, char ***argv, const char *name)
{
	for (int i = 0; i < *argc; i++) {
		if (!strcmp((*argv)[i], name)) {
			memmove(&(*argv)[i], &(*argv)[i + 1],
				(*argc - i - 1) * sizeof(char *));
			*argc -= 1;
			return true;
		}
	}
	return false;
}

bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ------------------------------------------------------------ snapshots */

/*
 * One snapshot into s->buf (grown as needed, retried with RETRY).
 * Returns 0 or an errno.
 */
int take_snapshot(int fd, struct snap *s, uint32_t flags)
{
	memset(&s->req, 0, sizeof(s->req));
	s->req.size = sizeof(s->req);
	s->req.flags = flags;
	s->req.buf = (uintptr_t)s->buf;
	s->req.buf_len = s->cap;
	for (int tries = 0; tries < 8; tries++) {
		if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, &s->req) == 0)
			return 0;
		if (errno != ENOSPC)
			return errno;
		size_t want = s->req.needed + 4096;

		free(s->buf);
		s->buf = malloc(want);
		if (!s->buf)
			die("malloc %zu", want);
		s->cap = want;
		s->req.buf = (uintptr_t)s->buf;
		s->req.buf_len = s->cap;
		s->req.flags = flags | PROCINFO_SNAP_RETRY;
	}
	return ENOSPC;
}

/* Structural check of a snapshot; returns an error text or NULL. */
const char *check_snapshot(const struct snap *s, char *why, size_t n)
{
	const struct procinfo_snapshot_req *r = &s->req;

	if (r->record_size != sizeof(struct procinfo_record))
		return snprintf(why, n, "record_size %u", r->record_size), why;
	if (r->records_offset != 0 ||
	    r->strings_offset != (uint64_t)r->nr_records * r->record_size)
		return snprintf(why, n, "offsets %llu/%llu for %u records",
				(unsigned long long)r->records_offset,
				(unsigned long long)r->strings_offset,
				r->nr_records), why;
	if (r->needed != r->strings_offset + r->strings_len ||
	    r->needed > r->buf_len)
		return snprintf(why, n, "needed %llu", (unsigned long long)r->needed), why;
	if (r->reserved0 || !all_zero(r->reserved, sizeof(r->reserved)))
		return snprintf(why, n, "req reserved not zero"), why;
	uint32_t prev = 0;

	for (uint32_t i = 0; i < r->nr_records; i++) {
		const struct procinfo_record *rec =
			(const void *)(s->buf + (size_t)i * r->record_size);

		if (rec->pid <= prev)
			return snprintf(why, n, "record %u: pid %u after %u", i, rec->pid, prev), why;
		prev = rec->pid;
		if (!strchr("RSDTtXZPI", rec->state) || !rec->state)
			return snprintf(why, n, "pid %u: state %#x", rec->pid, rec->state), why;
		if (!all_zero(rec->pad0, sizeof(rec->pad0)) || rec->pad1 || rec->pad2 ||
		    !all_zero(rec->reserved, sizeof(rec->reserved)))
			return snprintf(why, n, "pid %u: padding/reserved not zero", rec->pid), why;
		if (!memchr(rec->comm, 0, sizeof(rec->comm)))
			return snprintf(why, n, "pid %u: comm not terminated", rec->pid), why;
		size_t cl = strlen((const char *)rec->comm);

		if (!all_zero(rec->comm + cl, sizeof(rec->comm) - cl))
			return snprintf(why, n, "pid %u: comm tail not zero", rec->pid), why;
		if (rec->cmdline_len > PROCINFO_CMDLINE_MAX ||
		    (uint64_t)rec->cmdline_offset + rec->cmdline_len > r->strings_len)
			return snprintf(why, n, "pid %u: cmdline %u+%u beyond %llu", rec->pid,
					rec->cmdline_offset, rec->cmdline_len,
					(unsigned long long)r->strings_len), why;
		if ((uint64_t)rec->cgroup_offset + rec->cgroup_len > r->strings_len ||
		    (uint64_t)rec->container_id_offset + rec->container_id_len > r->strings_len ||
		    (uint64_t)rec->pod_uid_offset + rec->pod_uid_len > r->strings_len)
			return snprintf(why, n, "pid %u: cgroup/id/pod uid beyond %llu", rec->pid,
					(unsigned long long)r->strings_len), why;
		if (rec->flags & ~PROCINFO_REC_ALL_FLAGS)
			return snprintf(why, n, "pid %u: flags %#x", rec->pid, rec->flags), why;
		if (rec->nr_threads == 0 && rec->state != 'Z' && rec->state != 'X')
			return snprintf(why, n, "pid %u: no threads", rec->pid), why;
	}
	return NULL;
}

/* ------------------------------------------------------------ strict JSON */

struct jp {
	const char *s, *e;
	const char *err;
};

static void jws(struct jp *p)
{
	while (p->s < p->e && (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' ||
			       *p->s == '\r'))
		p->s++;
}

static bool jfail(struct jp *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return false;
}

static bool jvalue(struct jp *p, int depth);

/* RFC 8259 string with RFC 3629 UTF-8; copies up to outn-1 raw bytes */
static bool jstring(struct jp *p, char *out, size_t outn)
{
	size_t o = 0;

	if (p->s >= p->e || *p->s != '"')
		return jfail(p, "expected string");
	p->s++;
	while (p->s < p->e) {
		unsigned char c = *p->s;

		if (c == '"') {
			p->s++;
			if (out)
				out[o] = 0;
			return true;
		}
		if (c < 0x20)
			return jfail(p, "raw control byte in string");
		if (c == '\\') {
			p->s++;
			if (p->s >= p->e)
				break;
			c = *p->s;
			if (c == 'u') {
				for (int i = 1; i <= 4; i++)
					if (p->s + i >= p->e || !strchr("0123456789abcdefABCDEF", p->s[i]) ||
					    !p->s[i])
						return jfail(p, "bad \\u escape");
				p->s += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || !c)
				return jfail(p, "bad escape");
			p->s++;
			continue;
		}
		size_t len = 1;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c >= 0x80) {
			if (c >= 0xc2 && c <= 0xdf)
				len = 2;
			else if (c >= 0xe0 && c <= 0xef)
				len = 3;
			else if (c >= 0xf0 && c <= 0xf4)
				len = 4;
			else
				return jfail(p, "invalid UTF-8 lead byte");
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
			else if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
			if (p->s + len > p->e)
				return jfail(p, "truncated UTF-8");
			for (size_t i = 1; i < len; i++) {
				unsigned char d = p->s[i];

				if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xbf))
					return jfail(p, "invalid UTF-8");
			}
		}
		if (out && o + len < outn) {
			memcpy(out + o, p->s, len);
			o += len;
		}
		p->s += len;
	}
	return jfail(p, "unterminated string");
}

static bool jnumber(struct jp *p)
{
	const char *st = p->s;

	if (p->s < p->e && *p->s == '-')
		p->s++;
	if (p->s >= p->e)
		return jfail(p, "bad number");
	if (*p->s == '0') {
		p->s++;
	} else if (*p->s >= '1' && *p->s <= '9') {
		while (p->s < p->e && *p->s >= '0' && *p->s <= '9')
			p->s++;
	} else {
		return jfail(p, "bad number");
	}
	if (p->s < p->e && *p->s == '.') {
		p->s++;
		if (p->s >= p->e || *p->s < '0' || *p->s > '9')
			return jfail(p, "bad fraction");
		while (p->s < p->e && *p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	if (p->s < p->e && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->e && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (p->s >= p->e || *p->s < '0' || *p->s > '9')
			return jfail(p, "bad exponent");
		while (p->s < p->e && *p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	return p->s > st;
}

static bool jlit(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(p->e - p->s) < n || memcmp(p->s, lit, n))
		return jfail(p, "bad literal");
	p->s += n;
	return true;
}

static bool jvalue(struct jp *p, int depth)
{
	if (depth > 16)
		return jfail(p, "too deep");
	jws(p);
	if (p->s >= p->e)
		return jfail(p, "unexpected end");
	switch (*p->s) {
	case '{':
		p->s++;
		jws(p);
		if (p->s < p->e && *p->s == '}') {
			p->s++;
			return true;
		}
		for (;;) {
			jws(p);
			if (!jstring(p, NULL, 0))
				return false;
			jws(p);
			if (p->s >= p->e || *p->s != ':')
				return jfail(p, "expected ':'");
			p->s++;
			if (!jvalue(p, depth + 1))
				return false;
			jws(p);
			if (p->s < p->e && *p->s == ',') {
				p->s++;
				continue;
			}
			if (p->s < p->e && *p->s == '}') {
				p->s++;
				return true;
			}
			return jfail(p, "expected ',' or '}'");
		}
	case '[':
		p->s++;
		jws(p);
		if (p->s < p->e && *p->s == ']') {
			p->s++;
			return true;
		}
		for (;;) {
			if (!jvalue(p, depth + 1))
				return false;
			jws(p);
			if (p->s < p->e && *p->s == ',') {
				p->s++;
				continue;
			}
			if (p->s < p->e && *p->s == ']') {
				p->s++;
				return true;
			}
			return jfail(p, "expected ',' or ']'");
		}
	case '"':
		return jstring(p, NULL, 0);
	case 't':
		return jlit(p, "true");
	case 'f':
		return jlit(p, "false");
	case 'n':
		return jlit(p, "null");
	default:
		return jnumber(p);
	}
}

/*
 * Strict RFC 8259 check of a whole document plus the contract's shape: the
 * entries' "pid" values ascend. Collects pids into @pids if given.
 */
const char *check_json(const char *doc, size_t len, long *pids, size_t *npids,
			      size_t maxpids)
{
	struct jp p = { doc, doc + len, NULL };

	if (!jvalue(&p, 0))
		return p.err;
	jws(&p);
	if (p.s != p.e)
		return "trailing bytes after the document";
	if (len < 2 || doc[0] != '{' || memcmp(doc + len - 2, "}\n", 2))
		return "document is not one object ending in a newline";
	if (!strstr(doc, "\"processes\": [") && !strstr(doc, "\"containers\": ["))
		return "no processes/containers array";
	/* pids: every line "    { "pid": N," */
	long prev = 0;
	size_t n = 0;

	for (const char *q = strstr(doc, "{ \"pid\": "); q; q = strstr(q + 1, "{ \"pid\": ")) {
		long pid = strtol(q + 9, NULL, 10);

		if (pid <= prev)
			return "pids not ascending";
		prev = pid;
		if (pids && n < maxpids)
			pids[n] = pid;
		n++;
	}
	if (npids)
		*npids = n;
	return NULL;
}

/* Reads a whole file into a malloc'ed buffer (NUL-terminated). */
char *slurp(const char *path, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 16, n = 0;
	char *buf;

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	buf = malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}
