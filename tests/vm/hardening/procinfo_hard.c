// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard: guest-side hardening checks of sysinfo.ko / continfo.ko
 * (stress, hostile input, disclosure). One program, subcommands:
 *
 *   fuzz [--seed N] [--calls N] [--seconds S]
 *        seeded ioctl fuzzer of /dev/procinfo; every call must succeed or
 *        fail with a documented errno; prints seed and call count
 *   race [--seconds S]  snapshots into a buffer another thread keeps
 *        unmapping and remapping
 *   fileops FILE...     write, mmap, lseek, pread abuse of each file
 *   disclose            pattern-filled buffers: padding, reserved bytes and
 *                       the string area beyond its used length
 *   failslab FILE...    fail-nth fault injection on open+read of each FILE
 *                       and on the snapshot ioctl: ENOMEM, or EFAULT for an
 *                       injected usercopy fault (77 when unavailable)
 *   list json FILE | list device   pids listed ("PID" / "PID UID" lines)
 *   nscheck FILE        run as pid 1 of a new pid namespace: both paths
 *                       list exactly this namespace's processes
 *   read json FILE | read device  [--seconds S] [--tolerant] [--count-file F]
 *        reader loop: every JSON document strictly valid, every snapshot
 *        decodes; --tolerant accepts a missing or removed module
 *   storm [--seconds S] fork/exec/exit, threads and prctl renames
 *   as-uid [--groups G,...] UID CMD...
 *                       drop to uid/gid UID (only the groups given) and exec CMD
 *   mem FILE            one snapshot's kernel memory: JSON text, records,
 *                       strings; and the time of each path
 *
 * and the security and accuracy cases of sec.c (leakscan, hold,
 * spawn-shared, dethread, timens, cmdflags, scan). Shared helpers: hard_common.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/procinfo.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hard.h"

/* ------------------------------------------------------------ fuzz */

static const int allowed_errnos[] = {
	ENOTTY, EINVAL, EFAULT, E2BIG, ENOSPC, ENOMEM, EINTR,
};

static bool errno_allowed(int e)
{
	for (size_t i = 0; i < sizeof(allowed_errnos) / sizeof(allowed_errnos[0]); i++)
		if (allowed_errnos[i] == e)
			return true;
	return false;
}

/*
 * Commands the VFS answers itself before the driver sees them
 * (do_vfs_ioctl): not the driver's contract, and some change the file.
 */
static bool vfs_generic(unsigned int cmd)
{
	switch (cmd) {
	case 0x5450: case 0x5451: case 0x5421: case 0x5452: /* FIONCLEX FIOCLEX FIONBIO FIOASYNC */
	case 0x5460: case 0x541B:			     /* FIOQSIZE FIONREAD */
	case 1: case 2:					     /* FIBMAP FIGETBSZ */
		return true;
	}
	unsigned int type = (cmd >> 8) & 0xff;

	/* FIFREEZE/FITHAW/FICLONE* ('X'), FS_IOC_* ('f', 0x15 fsuuid/fslabel) */
	return type == 'X' || type == 'f' || type == 0x15 || type == 0x94;
}

struct fuzz_mem {
	unsigned char *big;	/* 64 KiB RW */
	size_t big_len;
	unsigned char *ro;	/* one read-only page */
	unsigned char *edge;	/* last RW page before a PROT_NONE page */
	unsigned char *hole;	/* unmapped page */
	long page;
};

static uint64_t fuzz_ptr(struct fuzz_mem *m, void *req, int *kind)
{
	*kind = (int)rnd_below(11);
	switch (*kind) {
	case 0: return 0;
	case 1: return (uintptr_t)m->hole + rnd_below(m->page);
	case 2: return (uintptr_t)m->ro;
	case 3: return 0xffff888000000000ULL + rnd_below(1 << 20);
	case 4: return (uintptr_t)m->big + 1 + rnd_below(7);	/* unaligned */
	case 5: return (uintptr_t)req;				/* overlaps the req */
	case 6: return (uintptr_t)req - 64 + rnd_below(128);
	case 7: return (uintptr_t)m->edge + m->page - rnd_below(256);	/* runs off the mapping */
	case 8: return rnd();
	case 9: return ~0ULL - rnd_below(4096);
	default: return (uintptr_t)m->big;
	}
}

static uint64_t fuzz_len(struct fuzz_mem *m)
{
	switch (rnd_below(8)) {
	case 0: return 0;
	case 1: return 1 + rnd_below(144);
	case 2: return m->big_len;
	case 3: return ~0ULL;
	case 4: return 1ULL << (20 + rnd_below(40));
	case 5: return rnd();
	case 6: return m->big_len / 2 + rnd_below(m->big_len);
	default: return m->big_len;
	}
}

static uint32_t fuzz_size(void)
{
	static const uint32_t edge[] = {
		0, 1, 4, 7, 8, 64, 120, 127, 128, 129, 136, 255, 256, 4095, 4096,
		4097, 65536, 1U << 20, 0x7fffffff, 0xffffffff,
	};
	if (rnd_below(3) == 0)
		return 129 + (uint32_t)rnd_below(4096 - 129 + 1);
	return edge[rnd_below(sizeof(edge) / sizeof(edge[0]))];
}

static unsigned int fuzz_cmd(void)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int dir = dirs[rnd_below(4)];
	unsigned int type, nr, size;

	switch (rnd_below(6)) {
	case 0:
		return (unsigned int)rnd();
	case 1:		/* the right magic, any nr/size/dir */
		type = PROCINFO_IOC_MAGIC;
		nr = (unsigned int)rnd_below(5);
		break;
	case 2:		/* nr 1/2 with another magic */
		type = (unsigned int)rnd_below(256);
		nr = 1 + (unsigned int)rnd_below(2);
		break;
	case 3:		/* right magic and nr, wrong size or direction */
		type = PROCINFO_IOC_MAGIC;
		nr = 1 + (unsigned int)rnd_below(2);
		break;
	case 4:
		return rnd_below(2) ? PROCINFO_IOC_VERSION : PROCINFO_IOC_SNAPSHOT;
	default:
		type = (unsigned int)rnd_below(256);
		nr = (unsigned int)rnd_below(256);
		break;
	}
	size = rnd_below(2) ? (unsigned int)rnd_below(1U << _IOC_SIZEBITS) :
	       (unsigned int)(rnd_below(2) ? sizeof(struct procinfo_snapshot_req) :
			      sizeof(struct procinfo_version));
	return _IOC(dir, type, nr, size);
}

static long fuzz_one(int fd, struct fuzz_mem *m, unsigned int *cmd_out, int *err_out,
		     const char **what)
{
	/* The request lives in the 64 KiB buffer's second half, or at the edge */
	unsigned char *reqbuf;
	int where = (int)rnd_below(8);
	uint32_t size = fuzz_size();

	if (where == 0)
		reqbuf = m->edge + m->page - sizeof(struct procinfo_snapshot_req) +
			 8 * rnd_below(16);	/* may run into PROT_NONE */
	else
		reqbuf = m->big + m->big_len / 2 + 8 * rnd_below(64);
	size_t room = (size_t)(m->big + m->big_len - reqbuf);

	if (where != 0) {
		memset(reqbuf, 0, room < 8192 ? room : 8192);
		if (rnd_below(4) == 0)	/* non-zero tail beyond 128 */
			reqbuf[128 + rnd_below(room > 4200 ? 4000 : 1)] = (unsigned char)(1 + rnd_below(255));
	}
	struct procinfo_snapshot_req req = { 0 };
	int k;

	req.size = size;
	req.flags = rnd_below(3) == 0 ? (uint32_t)rnd() :
		    (uint32_t)rnd_below(PROCINFO_SNAP_ALL_FLAGS + 1);
	req.buf = fuzz_ptr(m, reqbuf, &k);
	req.buf_len = fuzz_len(m);
	if (rnd_below(6) == 0)
		req.reserved0 = (uint32_t)rnd();
	if (rnd_below(6) == 0)
		req.reserved[rnd_below(4)] = rnd();
	if (rnd_below(8) == 0)
		req.needed = rnd();	/* output fields given as input: ignored */

	unsigned int cmd;
	uint64_t arg;

	switch (rnd_below(4)) {
	case 0:		/* random command, random pointer */
		do
			cmd = fuzz_cmd();
		while (vfs_generic(cmd));
		arg = fuzz_ptr(m, reqbuf, &k);
		*what = "random cmd";
		break;
	case 1:
		cmd = PROCINFO_IOC_VERSION;
		arg = rnd_below(3) ? (uintptr_t)reqbuf : fuzz_ptr(m, reqbuf, &k);
		*what = "version";
		break;
	default:
		cmd = PROCINFO_IOC_SNAPSHOT;
		arg = (uintptr_t)reqbuf;
		if (where != 0)
			memcpy(reqbuf, &req, sizeof(req));
		else if (rnd_below(4) == 0)
			arg = fuzz_ptr(m, reqbuf, &k);
		*what = "snapshot";
		break;
	}
	*cmd_out = cmd;
	long r = ioctl(fd, cmd, (unsigned long)arg);

	*err_out = r < 0 ? errno : 0;
	/* A successful version call: the reserved words must be zero */
	if (r == 0 && cmd == PROCINFO_IOC_VERSION) {
		struct procinfo_version *v = (void *)(uintptr_t)arg;

		if (!all_zero(v->reserved, sizeof(v->reserved)))
			die("version reserved not zero");
	}
	return r;
}

static int cmd_fuzz(int argc, char **argv)
{
	long seed = opt_long(&argc, &argv, "--seed", (long)time(NULL));
	long calls = opt_long(&argc, &argv, "--calls", 200000);
	double seconds = (double)opt_long(&argc, &argv, "--seconds", 30);
	struct fuzz_mem m;
	long page = sysconf(_SC_PAGESIZE);
	long n, ok = 0, per_errno[256] = { 0 };

	rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
	printf("fuzz: seed %ld, up to %ld calls or %.0f s\n", seed, calls, seconds);
	fflush(stdout);

	m.page = page;
	m.big_len = 65536;
	/* Every RW area sits between PROT_NONE guard pages: a copy that runs
	 * off its end faults instead of hitting this program's own data. */
	unsigned char *g = mmap(NULL, m.big_len + 2 * page, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED || mprotect(g + page, m.big_len, PROT_READ | PROT_WRITE))
		die("mmap");
	m.big = g + page;
	m.ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *two = mmap(NULL, 4 * page, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m.ro == MAP_FAILED || two == MAP_FAILED ||
	    mprotect(two + page, page, PROT_READ | PROT_WRITE))
		die("mmap");
	m.edge = two + page;	/* followed by a PROT_NONE page */
	m.hole = two + 3 * page;
	munmap(m.hole, page);

	int fd = open(DEV, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	double t0 = now();

	for (n = 0; n < calls; n++) {
		unsigned int cmd;
		int e;
		const char *what;

		if ((n & 255) == 0 && now() - t0 > seconds)
			break;
		long r = fuzz_one(fd, &m, &cmd, &e, &what);

		if (r == 0) {
			ok++;
			continue;
		}
		if (r != -1 || !errno_allowed(e))
			die("call #%ld (seed %ld): %s cmd %#x returned %ld errno %d (%s)",
			    n, seed, what, cmd, r, e, strerror(e));
		per_errno[e & 255]++;
	}
	close(fd);
	printf("fuzz: seed %ld: %ld calls in %.1f s: %ld ok, ENOTTY %ld, EINVAL %ld, EFAULT %ld, "
	       "E2BIG %ld, ENOSPC %ld, ENOMEM %ld, EINTR %ld\n",
	       seed, n, now() - t0, ok, per_errno[ENOTTY], per_errno[EINVAL], per_errno[EFAULT],
	       per_errno[E2BIG], per_errno[ENOSPC], per_errno[ENOMEM], per_errno[EINTR]);
	printf("FUZZ seed=%ld calls=%ld\n", seed, n);
	return 0;
}

/* ------------------------------------------------------------ race */

static unsigned char *volatile race_area;
static size_t race_len;
static volatile int race_stop;
static long race_flips;

static void *race_thread(void *arg)
{
	(void)arg;
	while (!race_stop) {
		/* Replace the pages (the old ones are freed), then unmap them */
		mmap(race_area, race_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		sched_yield();
		mmap(race_area, race_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		sched_yield();
		munmap(race_area + race_len / 2, race_len / 2);
		sched_yield();
		mmap(race_area + race_len / 2, race_len / 2, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		race_flips++;
	}
	return NULL;
}

static int cmd_race(int argc, char **argv)
{
	double seconds = (double)opt_long(&argc, &argv, "--seconds", 15);
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	long calls = 0, ok = 0, efault = 0, other = 0;
	struct snap s = { 0 };

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	if (take_snapshot(fd, &s, 0))
		die("first snapshot: %s", strerror(errno));
	race_len = ((s.req.needed * 4 + 65535) & ~65535UL);
	/* guard pages on both sides: MAP_FIXED only ever touches race_area */
	unsigned char *g = mmap(NULL, race_len + 2 * 65536, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED)
		die("mmap");
	race_area = g + 65536;
	mmap(race_area, race_len, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	pthread_t th;

	pthread_create(&th, NULL, race_thread, NULL);
	double t0 = now();

	while (now() - t0 < seconds) {
		struct procinfo_snapshot_req req = { 0 };

		req.size = sizeof(req);
		req.buf = (uintptr_t)race_area;
		req.buf_len = race_len;
		req.flags = calls % 3 == 2 ? PROCINFO_SNAP_RETRY : 0;
		long r = ioctl(fd, PROCINFO_IOC_SNAPSHOT, &req);

		calls++;
		if (r == 0)
			ok++;
		else if (errno == EFAULT)
			efault++;
		else if (errno_allowed(errno))
			other++;
		else
			die("race call #%ld: errno %d (%s)", calls, errno, strerror(errno));
	}
	race_stop = 1;
	pthread_join(th, NULL);
	close(fd);
	printf("race: %ld snapshot calls in %.0f s against %ld unmap/remap rounds: "
	       "%ld ok, %ld EFAULT, %ld other documented errors\n",
	       calls, seconds, race_flips, ok, efault, other);
	return 0;
}

/* ------------------------------------------------------------ fileops */

static void fileops_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool is_dev = !strncmp(path, "/dev/", 5);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));

	/* write(): a read-only open gives EBADF; O_RDWR is refused by mode 0444
	 * only for non-root, so try it as root too. */
	errno = 0;
	if (write(fd, "x", 1) >= 0)
		die("%s: write on O_RDONLY succeeded", path);
	printf("fileops %s: write(O_RDONLY) -> %s\n", path, strerror(errno));
	int wfd = open(path, O_WRONLY | O_CLOEXEC);

	if (wfd >= 0) {
		errno = 0;
		ssize_t w = write(wfd, "{}\n", 3);

		if (w >= 0)
			die("%s: write succeeded (%zd)", path, w);
		printf("fileops %s: write(O_WRONLY) -> %s\n", path, strerror(errno));
		close(wfd);
	} else {
		printf("fileops %s: open(O_WRONLY) -> %s\n", path, strerror(errno));
	}

	/* mmap: no mmap operation */
	errno = 0;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

	if (p != MAP_FAILED)
		die("%s: mmap succeeded", path);
	printf("fileops %s: mmap -> %s\n", path, strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED)
		die("%s: private mmap succeeded", path);

	/* lseek */
	static const struct { off_t off; int whence; } seeks[] = {
		{ -1, SEEK_SET }, { 0, SEEK_SET }, { 1, SEEK_SET }, { 7, SEEK_SET },
		{ 1L << 40, SEEK_SET }, { INT64_MAX, SEEK_SET }, { -1, SEEK_END },
		{ 0, SEEK_END }, { 1, SEEK_END }, { -(1L << 40), SEEK_END },
		{ -5, SEEK_CUR }, { 5, SEEK_CUR }, { INT64_MAX, SEEK_CUR },
		{ 0, SEEK_DATA }, { 0, SEEK_HOLE }, { 0, 42 },
	};
	for (size_t i = 0; i < sizeof(seeks) / sizeof(seeks[0]); i++) {
		lseek(fd, 0, SEEK_SET);
		errno = 0;
		off_t r = lseek(fd, seeks[i].off, seeks[i].whence);

		if (r < 0 && errno != EINVAL && errno != ENXIO)
			die("%s: lseek(%lld, %d): %s", path, (long long)seeks[i].off,
			    seeks[i].whence, strerror(errno));
		if (r < -1)
			die("%s: lseek returned %lld", path, (long long)r);
		printf("fileops %s: lseek(%lld, %d) -> %lld%s%s\n", path,
		       (long long)seeks[i].off, seeks[i].whence, (long long)r,
		       r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
	}

	if (is_dev) {
		char b[16];

		errno = 0;
		ssize_t r = read(fd, b, sizeof(b));

		if (r > 0)
			die("%s: read returned data", path);
		printf("fileops %s: read -> %zd %s\n", path, r, r < 0 ? strerror(errno) : "");
		close(fd);
		return;
	}

	/* pread at random offsets = the same bytes as one full read */
	lseek(fd, 0, SEEK_SET);
	size_t cap = 1 << 16, len = 0;
	char *full = malloc(cap);

	for (;;) {
		if (len == cap)
			full = realloc(full, cap *= 2);
		ssize_t r = read(fd, full + len, cap - len);

		if (r < 0)
			die("%s: read: %s", path, strerror(errno));
		if (!r)
			break;
		len += r;
	}
	const char *why = oracle_check_json(full, len, NULL, NULL);

	if (why)
		die("%s: document invalid: %s", path, why);
	off_t end = lseek(fd, 0, SEEK_END);

	printf("fileops %s: document %zu bytes, SEEK_END -> %lld\n", path, len, (long long)end);
	char buf[8192];
	long preads = 0;

	rng_state = 12345;
	for (int i = 0; i < 4000; i++) {
		off_t off = (off_t)rnd_below(len + 64);
		size_t n = 1 + rnd_below(i % 5 == 0 ? sizeof(buf) : 97);
		ssize_t r = pread(fd, buf, n, off);

		if (r < 0)
			die("%s: pread(%zu @ %lld): %s", path, n, (long long)off, strerror(errno));
		size_t want = off >= (off_t)len ? 0 : (len - off < n ? len - off : n);

		if ((size_t)r != want || memcmp(buf, full + (off < (off_t)len ? off : 0), want))
			die("%s: pread(%zu @ %lld) gave %zd bytes, not the document's %zu", path, n,
			    (long long)off, r, want);
		preads++;
	}
	errno = 0;
	if (pread(fd, buf, 10, -1) >= 0 || errno != EINVAL)
		die("%s: pread at -1: %s", path, strerror(errno));
	/* the file position is untouched by pread; a read after seek 0 */
	lseek(fd, 5, SEEK_SET);
	if (read(fd, buf, 10) != 10 || memcmp(buf, full + 5, 10))
		die("%s: read after lseek(5) differs", path);
	printf("fileops %s: %ld random preads equal the full read; pread(-1) -> EINVAL\n",
	       path, preads);
	free(full);
	close(fd);
}

static int cmd_fileops(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		fileops_one(argv[i]);
	return 0;
}

/* ------------------------------------------------------------ disclose */

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

static int cmd_disclose(int argc, char **argv)
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

/* ------------------------------------------------------------ failslab */

static int fail_nth_fd = -1;

static void fail_nth_set(int n)
{
	char b[32];
	int len = snprintf(b, sizeof(b), "%d", n);

	if (pwrite(fail_nth_fd, b, len, 0) != len) {
		/*
		 * Disarming a fault the operation did not consume: with
		 * CONFIG_FAULT_INJECTION_USERCOPY this very write's copy may
		 * take it (EFAULT), which disarms it as well.
		 */
		if (n == 0 && errno == EFAULT)
			return;
		die("write fail-nth: %s", strerror(errno));
	}
}

/* 0 when the armed fault was injected */
static int fail_nth_get(void)
{
	char b[32] = { 0 };

	if (pread(fail_nth_fd, b, sizeof(b) - 1, 0) < 0) {
		/* the fault was still armed: this read's usercopy took it */
		if (errno == EFAULT)
			return 1;
		die("read fail-nth: %s", strerror(errno));
	}
	return atoi(b);
}

/*
 * open + read of a whole file into a buffer allocated and touched before
 * the fault is armed: no allocation of this program (malloc, page faults)
 * may consume the injected failure. Returns 0 or an errno.
 */
static char *fs_buf;
static size_t fs_cap = 64 << 20;

static int read_doc(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	*out = fs_buf;
	*len = 0;
	if (fd < 0)
		return errno;
	for (;;) {
		ssize_t r = read(fd, fs_buf + n, fs_cap - 1 - n);

		if (r < 0) {
			int e = errno;

			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	fs_buf[n] = 0;
	*len = n;
	return 0;
}

static int cmd_failslab(int argc, char **argv)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	fail_nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0) {
		printf("SKIPPED: %s: %s (kernel without CONFIG_FAULT_INJECTION)\n", path,
		       strerror(errno));
		return 77;
	}
	fs_buf = malloc(fs_cap);
	if (!fs_buf)
		die("malloc");
	memset(fs_buf, 0, fs_cap);
	for (int i = 1; i < argc; i++) {
		int n, injected = 0, nomem = 0, efault = 0;

		for (n = 1; n < 100000; n++) {
			char *doc = NULL;
			size_t len;

			fail_nth_set(n);
			int err = read_doc(argv[i], &doc, &len);
			int left = fail_nth_get();

			fail_nth_set(0);
			if (left != 0) {	/* no fault reached: the whole call ran clean */
				if (err)
					die("failslab %s: clean run failed: %s", argv[i], strerror(err));
				const char *why = oracle_check_json(doc, len, NULL, NULL);

				if (why)
					die("failslab %s: clean document invalid: %s", argv[i], why);
				break;
			}
			injected++;
			/* ENOMEM: slab/page allocation; EFAULT: usercopy injection */
			if (err && err != ENOMEM && err != EFAULT)
				die("failslab %s: fault #%d: %s, not ENOMEM/EFAULT", argv[i], n,
				    strerror(err));
			nomem += err == ENOMEM;
			efault += err == EFAULT;
			if (!err) {	/* the allocation had a fallback */
				const char *why = oracle_check_json(doc, len, NULL, NULL);

				if (why)
					die("failslab %s: fault #%d: document invalid: %s", argv[i], n, why);
			}
			/* The next call works */
			err = read_doc(argv[i], &doc, &len);
			if (err)
				die("failslab %s: call after fault #%d: %s", argv[i], n, strerror(err));
		}
		printf("failslab %s: %d faults injected in turn: %d ENOMEM, %d EFAULT (usercopy), "
		       "%d handled by a fallback; the next call fine each time\n", argv[i], injected,
		       nomem, efault, injected - nomem - efault);
	}

	int fd = open(DEV, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	struct snap s = { 0 };

	s.cap = 1 << 24;
	s.buf = malloc(s.cap);
	if (!s.buf)
		die("malloc");
	memset(s.buf, 0, s.cap);
	int n, injected = 0, nomem = 0, efault = 0;

	for (n = 1; n < 100000; n++) {
		memset(&s.req, 0, sizeof(s.req));
		s.req.size = sizeof(s.req);
		s.req.buf = (uintptr_t)s.buf;
		s.req.buf_len = s.cap;
		fail_nth_set(n);
		int r = ioctl(fd, PROCINFO_IOC_SNAPSHOT, &s.req);
		int err = r ? errno : 0;
		int left = fail_nth_get();

		fail_nth_set(0);
		if (left != 0) {
			if (r)
				die("failslab ioctl: clean run failed: %s", strerror(err));
			break;
		}
		injected++;
		if (r && err != ENOMEM && err != EFAULT)
			die("failslab ioctl: fault #%d: %s, not ENOMEM/EFAULT", n, strerror(err));
		nomem += r && err == ENOMEM;
		efault += r && err == EFAULT;
		const char *why = NULL;

		if (take_snapshot(fd, &s, 0) || (why = oracle_check_snapshot(fd, &s.req, s.buf, 0)))
			die("failslab ioctl: call after fault #%d failed%s%s", n, why ? ": " : "",
			    why ? why : "");
	}
	printf("failslab ioctl: %d faults injected in turn: %d ENOMEM, %d EFAULT (usercopy), "
	       "%d handled by a fallback; the next call fine each time\n", injected, nomem, efault,
	       injected - nomem - efault);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ list, nscheck */

static long *json_pids(const char *path, size_t *n)
{
	size_t len;
	int err;
	char *doc = slurp(path, &len, &err);

	if (!doc)
		die("read %s: %s", path, strerror(err));
	long *pids;
	const char *why = oracle_check_json(doc, len, &pids, n);

	if (why)
		die("%s: %s", path, why);
	free(doc);
	return pids;
}

static int cmd_list(int argc, char **argv)
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

static int cmd_nscheck(int argc, char **argv)
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

/* ------------------------------------------------------------ readers */

static void bump(const char *count_file, long n)
{
	if (!count_file)
		return;
	FILE *f = fopen(count_file, "w");

	if (f) {
		fprintf(f, "%ld\n", n);
		fclose(f);
	}
}

static int cmd_read(int argc, char **argv)
{
	double seconds = (double)opt_long(&argc, &argv, "--seconds", 10);
	bool tolerant = opt_flag(&argc, &argv, "--tolerant");
	const char *count_file = opt_str(&argc, &argv, "--count-file");
	const char *stop_file = opt_str(&argc, &argv, "--stop-file");
	long docs = 0, absent = 0;
	double t0 = now();

	if (argc < 2)
		die("usage: read json FILE | read device [options]");
	bool dev = !strcmp(argv[1], "device");
	struct snap s = { 0 };

	while (now() - t0 < seconds) {
		if (stop_file && access(stop_file, F_OK) == 0)
			break;
		if (dev) {
			int fd = open(DEV, O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				if (tolerant && (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
					absent++;
					usleep(20000);
					continue;
				}
				die("read device: open: %s", strerror(errno));
			}
			for (int i = 0; i < 4; i++) {
				uint32_t flags = i & 1 ? PROCINFO_SNAP_CONTAINERS : 0;
				int err = take_snapshot(fd, &s, flags);

				if (err)
					die("read device: snapshot: %s", strerror(err));
				const char *why = oracle_check_snapshot(fd, &s.req, s.buf, flags);

				if (why)
					die("read device: snapshot #%ld: %s", docs, why);
				docs++;
			}
			close(fd);
		} else {
			size_t len;
			int err;
			char *doc = slurp(argv[2], &len, &err);

			if (!doc) {
				if (tolerant && (err == ENOENT || err == EIO)) {
					absent++;
					usleep(20000);
					continue;
				}
				die("read %s: %s", argv[2], strerror(err));
			}
			const char *why = oracle_check_json(doc, len, NULL, NULL);

			if (why)
				die("read %s: document #%ld (%zu bytes) invalid: %s", argv[2], docs, len, why);
			free(doc);
			docs++;
		}
		if ((docs & 7) == 0)
			bump(count_file, docs);
	}
	bump(count_file, docs);
	printf("read %s: %ld %s valid in %.0f s%s", dev ? "device" : argv[2], docs,
	       dev ? "snapshots" : "documents", now() - t0, tolerant ? "" : "\n");
	if (tolerant)
		printf(", %ld opens found the module absent\n", absent);
	return 0;
}

/* ------------------------------------------------------------ storm */

static volatile int storm_stop;

static void *storm_thread_fn(void *arg)
{
	(void)arg;
	return NULL;
}

static const char *const hostile_names[] = {
	"ren\"ame", "back\\sl", "nl\nname", "tab\tx", "\xff\xfe bad", "}],{\"pid\":1",
	"\x01\x02\x1f", "ok-name", "0123456789abcdef", "",
};

static long storm_kind(int k, double t0, double seconds)
{
	long n = 0;

	rng_state = 77 + k;
	while (now() - t0 < seconds) {
		if (k == 0) {		/* fork + exit (briefly zombies) */
			pid_t p = fork();

			if (p == 0) {
				prctl(PR_SET_NAME, hostile_names[n % 10]);
				_exit(0);
			}
			if (n % 4 == 0)
				usleep(1000);
			waitpid(p, NULL, 0);
		} else if (k == 1) {	/* fork + exec + exit */
			pid_t p = fork();

			if (p == 0) {
				execl("/bin/true", "true", "storm arg \"q\" \\", (char *)NULL);
				_exit(127);
			}
			waitpid(p, NULL, 0);
		} else if (k == 2) {	/* threads come and go */
			pthread_t th[8];

			for (int i = 0; i < 8; i++)
				pthread_create(&th[i], NULL, storm_thread_fn, NULL);
			for (int i = 0; i < 8; i++)
				pthread_join(th[i], NULL);
			n += 7;
		} else {		/* renames of this process */
			prctl(PR_SET_NAME, hostile_names[rnd_below(10)]);
			if (n % 64 == 0)
				usleep(1000);
		}
		n++;
	}
	return n;
}

static int cmd_storm(int argc, char **argv)
{
	double seconds = (double)opt_long(&argc, &argv, "--seconds", 30);
	double t0 = now();
	long counts[4] = { 0 };
	int rd[4];
	pid_t kids[4];

	/* One child per kind of churn; each reports its count through a pipe */
	for (int k = 0; k < 4; k++) {
		int pfd[2];

		if (pipe(pfd))
			die("pipe: %s", strerror(errno));
		kids[k] = fork();
		if (kids[k] < 0)
			die("fork: %s", strerror(errno));
		if (kids[k] == 0) {
			long n;

			close(pfd[0]);
			n = storm_kind(k, t0, seconds);
			if (write(pfd[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
		close(pfd[1]);
		rd[k] = pfd[0];
	}
	for (int k = 0; k < 4; k++) {
		if (read(rd[k], &counts[k], sizeof(long)) != sizeof(long))
			counts[k] = -1;
		close(rd[k]);
		waitpid(kids[k], NULL, 0);
	}
	printf("storm: %.0f s: %ld fork+exit, %ld fork+exec+exit, %ld threads, %ld renames\n",
	       now() - t0, counts[0], counts[1], counts[2], counts[3]);
	printf("STORM forks=%ld execs=%ld threads=%ld renames=%ld\n", counts[0], counts[1],
	       counts[2], counts[3]);
	return 0;
}

/* ------------------------------------------------------------ as-uid */

static int cmd_as_uid(int argc, char **argv)
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

/* ------------------------------------------------------------ mem */

static int cmd_mem(int argc, char **argv)
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s fuzz|race|fileops|disclose|failslab|list|nscheck|read|"
			"storm|as-uid|mem|leakscan|hold|spawn-shared|dethread|timens|cmdflags|scan ...\n", prog);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *c = argv[1];

	argc--;
	argv++;
	if (!strcmp(c, "fuzz"))
		return cmd_fuzz(argc, argv);
	if (!strcmp(c, "race"))
		return cmd_race(argc, argv);
	if (!strcmp(c, "fileops"))
		return cmd_fileops(argc, argv);
	if (!strcmp(c, "disclose"))
		return cmd_disclose(argc, argv);
	if (!strcmp(c, "failslab"))
		return cmd_failslab(argc, argv);
	if (!strcmp(c, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(c, "nscheck"))
		return cmd_nscheck(argc, argv);
	if (!strcmp(c, "read"))
		return cmd_read(argc, argv);
	if (!strcmp(c, "storm"))
		return cmd_storm(argc, argv);
	if (!strcmp(c, "as-uid"))
		return cmd_as_uid(argc, argv);
	if (!strcmp(c, "mem"))
		return cmd_mem(argc, argv);
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} sec[] = {
		{ "leakscan", cmd_leakscan },
		{ "hold", cmd_hold },
		{ "spawn-shared", cmd_spawn_shared },
		{ "dethread", cmd_dethread },
		{ "timens", cmd_timens },
		{ "cmdflags", cmd_cmdflags },
		{ "scan", cmd_scan },
	};
	for (size_t i = 0; i < sizeof(sec) / sizeof(sec[0]); i++)
		if (!strcmp(c, sec[i].name))
			return sec[i].run(argc, argv);
	fprintf(stderr, "%s: unknown command %s\n", prog, c);
	return 2;
}
