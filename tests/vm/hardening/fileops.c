// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard fileops FILE...
 *
 * Write, mmap, lseek, pread abuse of each file; a document read whole must
 * hold by the oracle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hard.h"

static void fileops_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool is_dev = !strncmp(path, "/dev/", 5);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));

	/* write(): a read-only open gives EBADF; O_RDWR is refused by mode 0444
	 * only for non-root, so try it as root too. */
	errno = 0;
	if (write(fd, "x", 1) >= 0)
		die("%s: write on O_RDONLY succeeded", path);
	printf("fileops %s: write(O_RDONLY) -> %s\n", path, strerror(errno));
	int wfd = open(path, O_WRONLY | O_CLOEXEC);

	if (wfd >= 0) {
		errno = 0;
		ssize_t w = write(wfd, "{}\n", 3);

		if (w >= 0)
			die("%s: write succeeded (%zd)", path, w);
		printf("fileops %s: write(O_WRONLY) -> %s\n", path, strerror(errno));
		close(wfd);
	} else {
		printf("fileops %s: open(O_WRONLY) -> %s\n", path, strerror(errno));
	}

	/* mmap: no mmap operation */
	errno = 0;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

	if (p != MAP_FAILED)
		die("%s: mmap succeeded", path);
	printf("fileops %s: mmap -> %s\n", path, strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED)
		die("%s: private mmap succeeded", path);

	/* lseek */
	static const struct { off_t off; int whence; } seeks[] = {
		{ -1, SEEK_SET }, { 0, SEEK_SET }, { 1, SEEK_SET }, { 7, SEEK_SET },
		{ 1L << 40, SEEK_SET }, { INT64_MAX, SEEK_SET }, { -1, SEEK_END },
		{ 0, SEEK_END }, { 1, SEEK_END }, { -(1L << 40), SEEK_END },
		{ -5, SEEK_CUR }, { 5, SEEK_CUR }, { INT64_MAX, SEEK_CUR },
		{ 0, SEEK_DATA }, { 0, SEEK_HOLE }, { 0, 42 },
	};
	for (size_t i = 0; i < sizeof(seeks) / sizeof(seeks[0]); i++) {
		lseek(fd, 0, SEEK_SET);
		errno = 0;
		off_t r = lseek(fd, seeks[i].off, seeks[i].whence);

		if (r < 0 && errno != EINVAL && errno != ENXIO)
			die("%s: lseek(%lld, %d): %s", path, (long long)seeks[i].off,
			    seeks[i].whence, strerror(errno));
		if (r < -1)
			die("%s: lseek returned %lld", path, (long long)r);
		printf("fileops %s: lseek(%lld, %d) -> %lld%s%s\n", path,
		       (long long)seeks[i].off, seeks[i].whence, (long long)r,
		       r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
	}

	if (is_dev) {
		char b[16];

		errno = 0;
		ssize_t r = read(fd, b, sizeof(b));

		if (r > 0)
			die("%s: read returned data", path);
		printf("fileops %s: read -> %zd %s\n", path, r, r < 0 ? strerror(errno) : "");
		close(fd);
		return;
	}

	/* pread at random offsets = the same bytes as one full read */
	lseek(fd, 0, SEEK_SET);
	size_t cap = 1 << 16, len = 0;
	char *full = malloc(cap);

	for (;;) {
		if (len == cap)
			full = realloc(full, cap *= 2);
		ssize_t r = read(fd, full + len, cap - len);

		if (r < 0)
			die("%s: read: %s", path, strerror(errno));
		if (!r)
			break;
		len += r;
	}
	const char *why = oracle_check_json(full, len, NULL, NULL);

	if (why)
		die("%s: document invalid: %s", path, why);
	off_t end = lseek(fd, 0, SEEK_END);

	printf("fileops %s: document %zu bytes, SEEK_END -> %lld\n", path, len, (long long)end);
	char buf[8192];
	long preads = 0;

	rng_state = 12345;
	for (int i = 0; i < 4000; i++) {
		off_t off = (off_t)rnd_below(len + 64);
		size_t n = 1 + rnd_below(i % 5 == 0 ? sizeof(buf) : 97);
		ssize_t r = pread(fd, buf, n, off);

		if (r < 0)
			die("%s: pread(%zu @ %lld): %s", path, n, (long long)off, strerror(errno));
		size_t want = off >= (off_t)len ? 0 : (len - off < n ? len - off : n);

		if ((size_t)r != want || memcmp(buf, full + (off < (off_t)len ? off : 0), want))
			die("%s: pread(%zu @ %lld) gave %zd bytes, not the document's %zu", path, n,
			    (long long)off, r, want);
		preads++;
	}
	errno = 0;
	if (pread(fd, buf, 10, -1) >= 0 || errno != EINVAL)
		die("%s: pread at -1: %s", path, strerror(errno));
	/* the file position is untouched by pread; a read after seek 0 */
	lseek(fd, 5, SEEK_SET);
	if (read(fd, buf, 10) != 10 || memcmp(buf, full + 5, 10))
		die("%s: read after lseek(5) differs", path);
	printf("fileops %s: %ld random preads equal the full read; pread(-1) -> EINVAL\n",
	       path, preads);
	free(full);
	close(fd);
}

int cmd_fileops(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		fileops_one(argv[i]);
	return 0;
}
