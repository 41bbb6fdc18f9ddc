// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard nscheck FILE
 *
 * Run as pid 1 of a new pid namespace: both paths list exactly this
 * namespace's processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hard.h"

/* numeric entries of /proc */
static int proc_pids(long *out, int max)
{
	char buf[256];
	int n = 0;
	FILE *ls = popen("ls /proc", "r");

	while (ls && fgets(buf, sizeof(buf), ls))
		if (buf[0] >= '1' && buf[0] <= '9' && n < max)
			out[n++] = atol(buf);
	if (ls)
		pclose(ls);
	return n;
}

static bool in(const long *a, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

int cmd_nscheck(int argc, char **argv)
{
	if (argc < 2)
		die("usage: nscheck FILE");
	if (getpid() != 1)
		die("nscheck: run me as pid 1 of a new pid namespace (I am %d)", getpid());
	/* a child that stays, so the namespace has more than us */
	pid_t child = fork();

	if (child == 0) {
		prctl(PR_SET_NAME, "ns-child");
		for (;;)
			pause();
	}
	long before[64], after[64];

	usleep(100000);
	int nb = proc_pids(before, 64);
	size_t nj;
	long *pj = json_pids(argv[1], &nj);

	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	struct snap s = { 0 };

	if (fd < 0 || take_snapshot(fd, &s, 0))
		die("nscheck: snapshot: %s", strerror(errno));
	int na = proc_pids(after, 64);

	/* everything listed was in /proc before or after; and 1 and child are */
	for (size_t i = 0; i < nj; i++)
		if (!in(before, nb, pj[i]) && !in(after, na, pj[i]))
			die("nscheck: JSON lists pid %ld, not a pid of this namespace", pj[i]);
	if (!in(pj, nj, 1) || !in(pj, nj, child))
		die("nscheck: JSON lacks pid 1 or the child %d", child);
	bool seen1 = false, seenc = false;

	for (uint32_t i = 0; i < s.req.nr_records; i++) {
		const struct procinfo_record *r = (const void *)(s.buf + (size_t)i * s.req.record_size);

		if (!in(before, nb, r->pid) && !in(after, na, r->pid))
			die("nscheck: device lists pid %u, not a pid of this namespace", r->pid);
		if (r->pid == 1) {
			seen1 = true;
			if (r->ppid != 0)
				die("nscheck: pid 1's ppid %u, not 0 (parent outside)", r->ppid);
		}
		if ((pid_t)r->pid == child) {
			seenc = true;
			if (r->ppid != 1 || strcmp((const char *)r->comm, "ns-child"))
				die("nscheck: child record ppid %u comm %s", r->ppid, r->comm);
		}
	}
	if (!seen1 || !seenc)
		die("nscheck: device lacks pid 1 or the child");
	printf("nscheck: JSON %zu processes, device %u records, /proc %d: pids of this namespace "
	       "only (1 = me, %d = child)\n", nj, s.req.nr_records, na, child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
