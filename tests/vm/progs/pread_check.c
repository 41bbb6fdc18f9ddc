// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pread-check FILE: one open, one snapshot. Reads FILE whole, then checks
 * that pread() and lseek()+read() at odd offsets, 1-byte reads and a
 * re-read from offset 0 all return the same bytes from the same open.
 * (A seek past the end may fail with EINVAL, as fixed_size_llseek does.)
 * Prints "pread-check FILE: OK (N bytes)" or the first differences; exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *all;
static size_t len;
static int bad;

static void cmp(const char *how, size_t off, const char *got, size_t n)
{
	size_t want = off < len ? len - off : 0;

	if (n > want || memcmp(got, all + off, n)) {
		printf("FAIL %s at offset %zu: %zu bytes differ from the first read\n", how, off, n);
		bad++;
	}
}

int main(int argc, char **argv)
{
	size_t cap = 1 << 20;
	ssize_t n;
	char *buf;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: pread-check FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	all = malloc(cap);
	while ((n = read(fd, all + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap)
			all = realloc(all, cap *= 2);
	}
	if (n < 0) {
		printf("read: %s\n", strerror(errno));
		return 1;
	}
	buf = malloc(len + 8192);
	size_t offs[] = { 0, 1, 7, 13, 4095, 4096, 4097, 8191, len / 3, len / 2 + 3, len - 1, len,
			  len + 5 };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		size_t off = offs[i];

		if (off > len + 5)
			continue;
		for (size_t want = 1; want <= 8192; want *= 8) {
			n = pread(fd, buf, want, (off_t)off);
			if (n < 0) {
				printf("FAIL pread(%zu, %zu): %s\n", off, want, strerror(errno));
				bad++;
				continue;
			}
			cmp("pread", off, buf, (size_t)n);
			if (off < len && n == 0) {
				printf("FAIL pread at %zu returned 0 before the end\n", off);
				bad++;
			}
		}
		if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
			/* A fixed-size file may refuse a seek past its end. */
			if (off > len && errno == EINVAL)
				continue;
			printf("FAIL lseek %zu: %s\n", off, strerror(errno));
			bad++;
			continue;
		}
		size_t got = 0;
		while ((n = read(fd, buf + got, 3)) > 0 && got < 9000)
			got += (size_t)n;
		cmp("lseek+read(3)", off, buf, got);
	}
	/* SEEK_END, where supported, is the document's length. */
	off_t end = lseek(fd, 0, SEEK_END);
	if (end >= 0 && end != (off_t)len) {
		printf("FAIL lseek SEEK_END gave %lld, document is %zu bytes\n", (long long)end, len);
		bad++;
	}
	/* Whole again from 0, byte by byte for the first 5000 bytes. */
	lseek(fd, 0, SEEK_SET);
	size_t got = 0;
	while (got < 5000 && (n = read(fd, buf + got, 1)) == 1)
		got++;
	while ((n = read(fd, buf + got, 65536)) > 0)
		got += (size_t)n;
	if (got != len) {
		printf("FAIL re-read from 0 gave %zu bytes, first read %zu\n", got, len);
		bad++;
	}
	cmp("re-read from 0", 0, buf, got < len ? got : len);
	close(fd);
	if (bad) {
		printf("pread-check %s: FAILED (%d problems)\n", argv[1], bad);
		return 1;
	}
	printf("pread-check %s: OK (%zu bytes)\n", argv[1], len);
	return 0;
}
