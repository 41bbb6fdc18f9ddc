// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard subcommands for the driver's security and accuracy rules:
 *
 *   leakscan --seconds S [--json FILE]
 *                        device snapshots and JSON documents in a loop;
 *                        fails if "SECRET" appears in any of them
 *   hold --json N --device N [--json-file F] [--uid U] [--cgroup DIR]
 *                        as uid U in cgroup DIR: keep N JSON files open
 *                        and N device snapshots pending; prints progress
 *                        and what the kernel holds meanwhile
 *   spawn-shared N LEN   N processes sharing one address space whose argv
 *                        is LEN bytes of 0x01 (CLONE_VM)
 *   dethread --seconds S [--json FILE]
 *                        a child whose non-leader threads keep exec'ing;
 *                        its record must never be a dead leader
 *   timens               in a new time namespace: start time and the
 *                        snapshot timestamp are in that namespace's time
 *   scan FILE TEXT       reads FILE once in 1 MiB pieces: bytes, lines, and
 *                        lines holding TEXT, and the time it took
 *   cmdflags PID         one timed snapshot: PID's flags and cmdline length,
 *                        the snapshot's size
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hard.h"

#define SECRET "SECRET"

static const char *self_exe = "/proc/self/exe";

/* ------------------------------------------------------------ leakscan */

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

/* ------------------------------------------------------------ hold */

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
		if (ok % 1000 == 0)
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
		if (ok % 1000 == 0)
			hold_report("device-progress", ok, 0, k0, c0, cg);
	}
	hold_report("device", ok, first_err, k0, c0, cg);
	if (cg)
		printf("HOLD cgroup memory.peak_kb=%ld memory.max_kb=%ld\n",
		       cgroup_kb(cg, "memory.peak"), cgroup_kb(cg, "memory.max"));
	return 0;
}

/* ------------------------------------------------------------ spawn-shared */

static int sleeper(void *arg)
{
	/* the fd the result is written to: only the parent keeps it */
	close((int)(intptr_t)arg);
	for (;;)
		pause();
	return 0;
}

int cmd_spawn_shared(int argc, char **argv)
{
	if (argc == 3) {
		/* exec again with the big argv, then clone from there */
		long len = atol(argv[2]);
		char *big = malloc(len + 1);

		if (!big || len < 1)
			die("spawn-shared: bad LEN");
		memset(big, 0x01, len);
		big[len] = 0;
		char *const args[] = { "procinfo-hard", "spawn-shared", argv[1], argv[2], big, NULL };

		execv(self_exe, args);
		die("exec: %s", strerror(errno));
	}
	if (argc != 4)
		die("usage: spawn-shared N LEN");

	long n = atol(argv[1]);
	const size_t stack = 16384;
	char *stacks = mmap(NULL, stack * n, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (stacks == MAP_FAILED)
		die("mmap stacks: %s", strerror(errno));
	setsid();
	int null = open("/dev/null", O_RDWR);

	/* the children share this stdio: point it away so $(...) sees EOF */
	fflush(stdout);
	int out = dup(1);

	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	for (long i = 0; i < n; i++) {
		if (clone(sleeper, stacks + stack * (i + 1), CLONE_VM | SIGCHLD,
			  (void *)(intptr_t)out) < 0) {
			dprintf(out, "spawn-shared: clone #%ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	dprintf(out, "SPAWNED %ld processes sharing one %zu-byte argv\n", n, strlen(argv[3]));
	return 0;
}

/* ------------------------------------------------------------ dethread */

static void *exec_from_thread(void *arg)
{
	char gen[32];

	snprintf(gen, sizeof(gen), "%ld", (long)(intptr_t)arg + 1);
	char *const args[] = { "procinfo-hard", "dethread", "--child", gen, NULL };

	execv(self_exe, args);
	_exit(127);
}

/* The child: each image starts a thread that execs the next one. */
static int dethread_child(long gen)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exec_from_thread, (void *)(intptr_t)gen))
		_exit(126);
	pthread_join(t, NULL);
	_exit(125);
}

static bool check_child_record(const struct procinfo_record *r, pid_t self, char *why,
			       size_t n)
{
	if (r->state == 'X')
		return snprintf(why, n, "state X (a dead leader)"), false;
	if (r->ppid != (uint32_t)self)
		return snprintf(why, n, "ppid %u, not %d", r->ppid, self), false;
	return true;
}

int cmd_dethread(int argc, char **argv)
{
	const char *child_gen = opt_str(&argc, &argv, "--child");
	double seconds = opt_long(&argc, &argv, "--seconds", 20);
	const char *json = opt_str(&argc, &argv, "--json");

	if (child_gen)
		return dethread_child(atol(child_gen));

	pid_t child = fork();

	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0)
		return dethread_child(0);

	long snapshots = 0, seen = 0, docs = 0, bad = 0;
	struct snap s = { 0 };
	double end = now() + seconds;
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	char why[128];

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	while (now() < end) {
		if (take_snapshot(fd, &s, 0))
			continue;
		snapshots++;
		for (uint32_t i = 0; i < s.req.nr_records; i++) {
			const struct procinfo_record *r = snap_record(&s, i);

			if (r->pid != (uint32_t)child)
				continue;
			seen++;
			if (!check_child_record(r, getpid(), why, sizeof(why))) {
				bad++;
				printf("PHANTOM device: pid %u %s (comm %.16s)\n", r->pid, why, r->comm);
			}
		}
		if (json && snapshots % 4 == 0) {
			size_t len;
			int err;
			char *doc = slurp(json, &len, &err);

			docs += !!doc;
			if (doc && oracle_json_state(doc, len, child) == 'X') {
				bad++;
				printf("PHANTOM json: pid %d state X (a dead leader)\n", child);
			}
			free(doc);
		}
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("DETHREAD snapshots=%ld child_records=%ld documents=%ld phantoms=%ld\n", snapshots,
	       seen, docs, bad);
	return bad || !seen ? 1 : 0;
}

/* ------------------------------------------------------------ timens */

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

/* ------------------------------------------------------------ scan */

int cmd_scan(int argc, char **argv)
{
	if (argc != 3)
		die("usage: scan FILE TEXT");
	const size_t piece = 1 << 20, tlen = strlen(argv[2]);
	char *buf = malloc(piece), *line = malloc(piece);
	size_t line_len = 0;
	long long bytes = 0, lines = 0, hits = 0;
	double t0 = now();
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf || !line)
		die("open %s: %s", argv[1], strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf, piece);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read %s: %s", argv[1], strerror(errno));
		if (n == 0)
			break;
		bytes += n;
		/* a line's start is kept until its end, to find TEXT across pieces */
		for (ssize_t i = 0; i < n; i++) {
			if (line_len < piece)
				line[line_len++] = buf[i];
			if (buf[i] != '\n')
				continue;
			lines++;
			hits += memmem(line, line_len, argv[2], tlen) != NULL;
			line_len = 0;
		}
	}
	close(fd);
	printf("SCAN bytes=%lld lines=%lld matching=%lld seconds=%.3f\n", bytes, lines, hits,
	       now() - t0);
	return 0;
}

/* ------------------------------------------------------------ cmdflags */

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
