// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard read json FILE | read device [--seconds S] [--tolerant]
 *     [--count-file F] [--stop-file F]
 *
 * Reader loop: every JSON document and every snapshot holds by the oracle;
 * --tolerant accepts a missing or removed module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hard.h"

static void bump(const char *count_file, long n)
{
	if (!count_file)
		return;
	FILE *f = fopen(count_file, "w");

	if (f) {
		fprintf(f, "%ld\n", n);
		fclose(f);
	}
}

int cmd_read(int argc, char **argv)
{
	double seconds = (double)opt_long(&argc, &argv, "--seconds", 10);
	bool tolerant = opt_flag(&argc, &argv, "--tolerant");
	const char *count_file = opt_str(&argc, &argv, "--count-file");
	const char *stop_file = opt_str(&argc, &argv, "--stop-file");
	long docs = 0, absent = 0;
	double t0 = now();

	if (argc < 2)
		die("usage: read json FILE | read device [options]");
	bool dev = !strcmp(argv[1], "device");
	struct snap s = { 0 };

	while (now() - t0 < seconds) {
		if (stop_file && access(stop_file, F_OK) == 0)
			break;
		if (dev) {
			int fd = open(DEV, O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				if (tolerant && (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
					absent++;
					usleep(20000);
					continue;
				}
				die("read device: open: %s", strerror(errno));
			}
			for (int i = 0; i < 4; i++) {
				uint32_t flags = i & 1 ? PROCINFO_SNAP_CONTAINERS : 0;
				int err = take_snapshot(fd, &s, flags);

				if (err)
					die("read device: snapshot: %s", strerror(err));
				const char *why = oracle_check_snapshot(fd, &s.req, s.buf, flags);

				if (why)
					die("read device: snapshot #%ld: %s", docs, why);
				docs++;
			}
			close(fd);
		} else {
			size_t len;
			int err;
			char *doc = slurp(argv[2], &len, &err);

			if (!doc) {
				if (tolerant && (err == ENOENT || err == EIO)) {
					absent++;
					usleep(20000);
					continue;
				}
				die("read %s: %s", argv[2], strerror(err));
			}
			const char *why = oracle_check_json(doc, len, NULL, NULL);

			if (why)
				die("read %s: document #%ld (%zu bytes) invalid: %s", argv[2], docs, len, why);
			free(doc);
			docs++;
		}
		if ((docs & 7) == 0)
			bump(count_file, docs);
	}
	bump(count_file, docs);
	printf("read %s: %ld %s valid in %.0f s%s", dev ? "device" : argv[2], docs,
	       dev ? "snapshots" : "documents", now() - t0, tolerant ? "" : "\n");
	if (tolerant)
		printf(", %ld opens found the module absent\n", absent);
	return 0;
}
