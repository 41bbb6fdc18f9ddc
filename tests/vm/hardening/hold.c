// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard hold --json N --device N [--json-file F] [--uid U]
 *     [--cgroup DIR]
 *
 * As uid U in cgroup DIR, keep N JSON files open and N device snapshots
 * pending; prints progress (every 100) and what the kernel holds meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hard.h"

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Unreclaimable kernel memory: what a held snapshot can grow. */
static long kernel_kb(void)
{
	return meminfo_kb("SUnreclaim") + meminfo_kb("VmallocUsed");
}

static long cgroup_kb(const char *dir, const char *file)
{
	char path[512], buf[64];
	long v = -1;
	int fd;

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = 0;
		v = strtoll(buf, NULL, 10) / 1024;
	}
	close(fd);
	return v;
}

static void join_cgroup(const char *dir)
{
	char path[512], pid[32];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, strlen(pid)) < 0)
		die("join %s: %s", dir, strerror(errno));
	close(fd);
}

static void drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		die("drop to uid %u: %s", uid, strerror(errno));
}

static void hold_report(const char *what, long ok, int first_err, long k0, long c0,
			const char *cg)
{
	printf("HOLD %s ok=%ld first_error=%s kernel_delta_kb=%ld cgroup_delta_kb=%ld\n",
	       what, ok, first_err ? strerrorname_np(first_err) : "none", kernel_kb() - k0,
	       cg ? cgroup_kb(cg, "memory.current") - c0 : -1);
	fflush(stdout);
}

int cmd_hold(int argc, char **argv)
{
	long njson = opt_long(&argc, &argv, "--json", 0);
	long ndev = opt_long(&argc, &argv, "--device", 0);
	long uid = opt_long(&argc, &argv, "--uid", -1);
	const char *file = opt_str(&argc, &argv, "--json-file");
	const char *cg = opt_str(&argc, &argv, "--cgroup");
	struct rlimit rl = { njson + ndev + 64, njson + ndev + 64 };
	long ok = 0;
	int first_err = 0;

	if (!file)
		file = "/proc/" PROCINFO_SYSINFO_PROC_NAME;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %ld: %s", (long)rl.rlim_cur, strerror(errno));
	if (cg)
		join_cgroup(cg);
	if (uid >= 0)
		drop_to(uid);

	long k0 = kernel_kb(), c0 = cgroup_kb(cg, "memory.current");

	for (long i = 0; i < njson; i++) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			if (!first_err)
				first_err = errno;
			break;
		}
		ok++;
		if (ok % 100 == 0)
			hold_report("json-progress", ok, 0, k0, c0, cg);
	}
	hold_report("json", ok, first_err, k0, c0, cg);

	ok = 0;
	first_err = 0;
	for (long i = 0; i < ndev; i++) {
		struct procinfo_snapshot_req req = { .size = sizeof(req) };
		int fd = open(DEV, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			first_err = errno;
			break;
		}
		/* no buffer: ENOSPC, and the snapshot stays pending */
		if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, &req) == 0 || errno != ENOSPC) {
			first_err = errno ? errno : EPROTO;
			close(fd);
			break;
		}
		ok++;
		if (ok % 100 == 0)
			hold_report("device-progress", ok, 0, k0, c0, cg);
	}
	hold_report("device", ok, first_err, k0, c0, cg);
	if (cg)
		printf("HOLD cgroup memory.peak_kb=%ld memory.max_kb=%ld\n",
		       cgroup_kb(cg, "memory.peak"), cgroup_kb(cg, "memory.max"));
	return 0;
}
