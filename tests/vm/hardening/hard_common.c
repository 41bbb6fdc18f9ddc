// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Helpers shared by the procinfo-hard subcommands: errors, options, a
 * seeded random generator, the device snapshot reader, file slurping.
 * The JSON documents and snapshots are judged by the test oracle
 * (oracle.h), not here.
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

/* The errnos the driver's ioctl contract allows */
static const int allowed_errnos[] = {
	ENOTTY, EINVAL, EFAULT, E2BIG, ENOSPC, ENOMEM, EINTR,
};

bool errno_allowed(int e)
{
	for (size_t i = 0; i < sizeof(allowed_errnos) / sizeof(allowed_errnos[0]); i++)
		if (allowed_errnos[i] == e)
			return true;
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

/* The pids a JSON document lists, once the oracle has accepted it; dies if not. */
long *json_pids(const char *path, size_t *n)
{
	size_t len;
	int err;
	char *doc = slurp(path, &len, &err);

	if (!doc)
		die("read %s: %s", path, strerror(err));
	long *pids;
	const char *why = oracle_check_json(doc, len, &pids, n);

	if (why)
		die("%s: %s", path, why);
	free(doc);
	return pids;
}
