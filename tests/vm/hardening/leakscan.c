// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard leakscan --seconds S [--json FILE]
 *
 * Device snapshots and JSON documents in a loop; fails if "SECRET" appears
 * in any of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hard.h"

#define SECRET "SECRET"

int cmd_leakscan(int argc, char **argv)
{
	double seconds = opt_long(&argc, &argv, "--seconds", 20);
	const char *json = opt_str(&argc, &argv, "--json");
	long snapshots = 0, docs = 0, leaks = 0, errors = 0;
	struct snap s = { 0 };
	double end = now() + seconds;
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	while (now() < end) {
		int err = take_snapshot(fd, &s, 0);

		if (err) {
			errors++;
		} else {
			snapshots++;
			if (memmem(s.buf + s.req.strings_offset, s.req.strings_len,
				   SECRET, strlen(SECRET))) {
				leaks++;
				for (uint32_t i = 0; i < s.req.nr_records; i++) {
					const struct procinfo_record *r = snap_record(&s, i);
					const void *c = s.buf + s.req.strings_offset +
							r->cmdline_offset;

					if (memmem(c, r->cmdline_len, SECRET, strlen(SECRET)))
						printf("LEAK device: pid %u comm %.16s cmdline_len %u\n",
						       r->pid, r->comm, r->cmdline_len);
				}
			}
		}
		if (json && snapshots % 8 == 0) {
			size_t len;
			char *doc = slurp(json, &len, &err);

			if (!doc) {
				errors++;
				continue;
			}
			docs++;
			if (memmem(doc, len, SECRET, strlen(SECRET))) {
				leaks++;
				printf("LEAK json: a document holds %s\n", SECRET);
			}
			free(doc);
		}
	}
	printf("LEAKSCAN uid=%u snapshots=%ld documents=%ld leaks=%ld errors=%ld\n",
	       getuid(), snapshots, docs, leaks, errors);
	return leaks || !snapshots ? 1 : 0;
}
