// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard timens
 *
 * In a new time namespace, start time and the snapshot timestamp are in that
 * namespace's time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hard.h"

#define TIMENS_OFFSET_S 100000LL

static long long stat_starttime(pid_t pid)
{
	char path[64], buf[1024];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');

	/* after the loop, p is the space before field 22 (")" ends field 2) */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : -1;
}

static int timens_child(void)
{
	struct snap s = { 0 };
	struct timespec bt;
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	long hz = sysconf(_SC_CLK_TCK);

	if (fd < 0 || take_snapshot(fd, &s, 0))
		die("snapshot in the time namespace: %s", strerror(errno));
	clock_gettime(CLOCK_BOOTTIME, &bt);

	long long now_ns = bt.tv_sec * 1000000000LL + bt.tv_nsec;
	long long ticks = stat_starttime(getpid());

	for (uint32_t i = 0; i < s.req.nr_records; i++) {
		const struct procinfo_record *r = snap_record(&s, i);

		if (r->pid != (uint32_t)getpid())
			continue;
		long long rec_ticks = (long long)(r->start_time_ns / (1000000000ULL / hz));

		printf("TIMENS start: record %lld ticks, /proc/self/stat %lld ticks\n", rec_ticks,
		       ticks);
		printf("TIMENS timestamp: %.3f s, CLOCK_BOOTTIME here %.3f s\n",
		       s.req.timestamp_ns / 1e9, now_ns / 1e9);
		if (rec_ticks != ticks)
			die("start time %lld ticks differs from /proc/self/stat's %lld", rec_ticks,
			    ticks);
		if ((long long)s.req.timestamp_ns > now_ns ||
		    now_ns - (long long)s.req.timestamp_ns > 5000000000LL)
			die("timestamp %llu is not this namespace's CLOCK_BOOTTIME (%lld)",
			    (unsigned long long)s.req.timestamp_ns, now_ns);
		return 0;
	}
	die("no record for pid %d", getpid());
}

int cmd_timens(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char offs[64];
	int fd;

	if (unshare(CLONE_NEWTIME)) {
		if (errno == EINVAL)
			return 77;	/* kernel without CONFIG_TIME_NS */
		die("unshare(CLONE_NEWTIME): %s", strerror(errno));
	}
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	snprintf(offs, sizeof(offs), "%d %lld 0\n", CLOCK_BOOTTIME, TIMENS_OFFSET_S);
	if (fd < 0 || write(fd, offs, strlen(offs)) < 0)
		die("timens_offsets: %s", strerror(errno));
	close(fd);

	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(timens_child());
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		die("fork: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
