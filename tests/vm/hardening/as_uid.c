// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard as-uid [--groups G,...] UID CMD...
 *
 * Drop to uid/gid UID (only the groups given) and exec CMD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hard.h"

int cmd_as_uid(int argc, char **argv)
{
	const char *groups = opt_str(&argc, &argv, "--groups");
	gid_t list[16];
	size_t n = 0;

	if (argc < 3)
		die("usage: as-uid [--groups G,G...] UID CMD...");
	uid_t uid = (uid_t)atol(argv[1]);

	for (const char *g = groups; g && *g && n < 16; g = strchr(g, ',') ? strchr(g, ',') + 1 : "")
		list[n++] = (gid_t)atol(g);
	if (setgroups(n, list) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		die("as-uid %u: %s", uid, strerror(errno));
	execvp(argv[2], argv + 2);
	die("exec %s: %s", argv[2], strerror(errno));
	return 127;
}
