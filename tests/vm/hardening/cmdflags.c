// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard cmdflags PID
 *
 * One timed snapshot: PID's flags and cmdline length, the snapshot's size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hard.h"

int cmd_cmdflags(int argc, char **argv)
{
	if (argc != 2)
		die("usage: cmdflags PID");
	uint32_t pid = (uint32_t)atol(argv[1]);
	struct snap s = { 0 };
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	double t0 = now();

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	int err = take_snapshot(fd, &s, 0);

	if (err)
		die("snapshot: %s", strerror(err));
	for (uint32_t i = 0; i < s.req.nr_records; i++) {
		const struct procinfo_record *r = snap_record(&s, i);

		if (r->pid == pid) {
			printf("pid=%u flags=%#x cmdline_len=%u unavailable=%d seconds=%.3f "
			       "records=%u strings_bytes=%llu snapshot_bytes=%llu\n",
			       r->pid, r->flags, r->cmdline_len,
			       !!(r->flags & PROCINFO_REC_CMDLINE_UNAVAILABLE), now() - t0,
			       s.req.nr_records, (unsigned long long)s.req.strings_len,
			       (unsigned long long)s.req.needed);
			return 0;
		}
	}
	die("no record for pid %u", pid);
}
