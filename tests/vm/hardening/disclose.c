// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard disclose
 *
 * Pattern-filled buffers: padding, reserved bytes and the string area beyond
 * its used length.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hard.h"

static void disclose_view(int fd, uint32_t flags)
{
	/* Ask for the size: nothing written to a pattern buffer on ENOSPC */
	size_t cap = 1 << 16;
	unsigned char *buf = malloc(cap);
	unsigned char reqbuf[512];
	struct procinfo_snapshot_req *req = (void *)reqbuf;

	memset(buf, PAT, cap);
	memset(reqbuf, 0, sizeof(reqbuf));
	req->size = 256;	/* a newer caller: zero tail */
	req->flags = flags;
	req->buf = (uintptr_t)buf;
	req->buf_len = 16;
	memset(reqbuf + 256, PAT, sizeof(reqbuf) - 256);
	if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, req) == 0 || errno != ENOSPC)
		die("disclose: small buffer: %s", strerror(errno));
	for (size_t i = 0; i < cap; i++)
		if (buf[i] != PAT)
			die("disclose: ENOSPC call wrote byte %zu of the buffer", i);
	if (!all_zero(reqbuf + 128, 128))
		die("disclose: bytes 128..255 of a 256-byte req were written");
	for (size_t i = 256; i < sizeof(reqbuf); i++)
		if (reqbuf[i] != PAT)
			die("disclose: byte %zu beyond the req's size was written", i);
	if (req->reserved0 || !all_zero(req->reserved, sizeof(req->reserved)))
		die("disclose: ENOSPC req reserved not zero");

	size_t need = req->needed;

	free(buf);
	cap = need + 8192 + 7;
	buf = malloc(cap);
	memset(buf, PAT, cap);
	req->buf = (uintptr_t)buf;
	req->buf_len = cap;
	req->flags = flags | PROCINFO_SNAP_RETRY;
	if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, req))
		die("disclose: snapshot: %s", strerror(errno));
	if (req->needed != need)
		die("disclose: RETRY gave another snapshot (%llu, was %zu)",
		    (unsigned long long)req->needed, need);

	const char *why = oracle_check_snapshot(fd, req, buf, flags);

	if (why)
		die("disclose: %s", why);
	size_t used = req->strings_offset + req->strings_len;

	for (size_t i = used; i < cap; i++)
		if (buf[i] != PAT)
			die("disclose: byte %zu beyond needed (%zu) was written", i, used);
	/* String area: every byte belongs to some record's strings */
	unsigned char *owned = calloc(req->strings_len + 1, 1);

	for (uint32_t i = 0; i < req->nr_records; i++) {
		const struct procinfo_record *rec = (const void *)(buf + (size_t)i * req->record_size);

		memset(owned + rec->cmdline_offset, 1, rec->cmdline_len);
		memset(owned + rec->cgroup_offset, 1, rec->cgroup_len);
		memset(owned + rec->container_id_offset, 1, rec->container_id_len);
		memset(owned + rec->pod_uid_offset, 1, rec->pod_uid_len);
	}
	for (size_t i = 0; i < req->strings_len; i++)
		if (!owned[i])
			die("disclose: string byte %zu belongs to no record", i);
	free(owned);
	if (!all_zero(reqbuf + 128, 128))
		die("disclose: bytes 128..255 of the req not zero after the call");
	for (size_t i = 256; i < sizeof(reqbuf); i++)
		if (reqbuf[i] != PAT)
			die("disclose: byte %zu beyond the req's size was written", i);
	printf("disclose %s: %u records, %llu string bytes: padding, reserved, comm tails zero; "
	       "%zu pattern bytes past the end untouched; ENOSPC left the buffer untouched\n",
	       flags ? "containers" : "all", req->nr_records,
	       (unsigned long long)req->strings_len, cap - used);
	free(buf);
}

int cmd_disclose(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	struct procinfo_version ver;

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	memset(&ver, PAT, sizeof(ver));
	if (ioctl(fd, PROCINFO_IOC_VERSION, &ver))
		die("version: %s", strerror(errno));
	if (!all_zero(ver.reserved, sizeof(ver.reserved)))
		die("disclose: version reserved not zero");
	printf("disclose: version %u.%u, reserved zero\n", ver.major, ver.minor);
	disclose_view(fd, 0);
	disclose_view(fd, PROCINFO_SNAP_CONTAINERS);
	close(fd);
	return 0;
}
