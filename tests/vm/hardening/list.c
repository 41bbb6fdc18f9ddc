// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard list json FILE | list device
 *
 * The pids listed ("PID" / "PID UID" lines), once the oracle has accepted
 * the document or snapshot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "hard.h"

int cmd_list(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "json")) {
		size_t n;
		long *pids = json_pids(argv[2], &n);

		for (size_t i = 0; i < n; i++)
			printf("%ld\n", pids[i]);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "device")) {
		int fd = open(DEV, O_RDONLY | O_CLOEXEC);
		struct snap s = { 0 };
		const char *why;

		if (fd < 0)
			die("open %s: %s", DEV, strerror(errno));
		int err = take_snapshot(fd, &s, 0);

		if (err)
			die("snapshot: %s", strerror(err));
		why = oracle_check_snapshot(fd, &s.req, s.buf, 0);
		if (why)
			die("snapshot: %s", why);
		for (uint32_t i = 0; i < s.req.nr_records; i++) {
			const struct procinfo_record *r = (const void *)(s.buf + (size_t)i * s.req.record_size);

			printf("%u %u\n", r->pid, r->uid);
		}
		return 0;
	}
	die("usage: list json FILE | list device");
	return 2;
}
