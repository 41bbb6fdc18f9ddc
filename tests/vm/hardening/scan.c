// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard scan FILE TEXT
 *
 * Reads FILE once in 1 MiB pieces: bytes, lines, and lines holding TEXT (raw
 * text, not parsed), and the time it took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hard.h"

int cmd_scan(int argc, char **argv)
{
	if (argc != 3)
		die("usage: scan FILE TEXT");
	const size_t piece = 1 << 20, tlen = strlen(argv[2]);
	char *buf = malloc(piece), *line = malloc(piece);
	size_t line_len = 0;
	long long bytes = 0, lines = 0, hits = 0;
	double t0 = now();
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf || !line)
		die("open %s: %s", argv[1], strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf, piece);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read %s: %s", argv[1], strerror(errno));
		if (n == 0)
			break;
		bytes += n;
		/* a line's start is kept until its end, to find TEXT across pieces */
		for (ssize_t i = 0; i < n; i++) {
			if (line_len < piece)
				line[line_len++] = buf[i];
			if (buf[i] != '\n')
				continue;
			lines++;
			hits += memmem(line, line_len, argv[2], tlen) != NULL;
			line_len = 0;
		}
	}
	close(fd);
	printf("SCAN bytes=%lld lines=%lld matching=%lld seconds=%.3f\n", bytes, lines, hits,
	       now() - t0);
	return 0;
}
