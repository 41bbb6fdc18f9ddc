// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard mem FILE
 *
 * One snapshot's kernel memory: JSON text, records, strings; and the time of
 * each path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hard.h"

int cmd_mem(int argc, char **argv)
{
	if (argc < 2)
		die("usage: mem FILE");
	double t0 = now();
	size_t len;
	int err;
	char *doc = slurp(argv[1], &len, &err);
	double t_json = now() - t0;

	if (!doc)
		die("read %s: %s", argv[1], strerror(err));
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	struct snap s = { 0 };

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	/* size it first, then time one snapshot into a big enough buffer */
	take_snapshot(fd, &s, 0);
	t0 = now();
	s.req.flags = 0;
	s.req.buf_len = s.cap;
	if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, &s.req))
		die("snapshot: %s", strerror(errno));
	double t_dev = now() - t0;
	unsigned long long rec = (unsigned long long)s.req.nr_records * s.req.record_size;

	printf("MEM processes=%u records_bytes=%llu strings_bytes=%llu snapshot_bytes=%llu "
	       "json_text_bytes=%zu json_open_peak_bytes=%llu\n",
	       s.req.nr_records, rec, (unsigned long long)s.req.strings_len,
	       (unsigned long long)s.req.needed, len, (unsigned long long)s.req.needed + len);
	printf("TIME json_read_s=%.3f device_snapshot_s=%.3f\n", t_json, t_dev);
	free(doc);
	return 0;
}
