// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard fuzz [--seed N] [--calls N] [--seconds S]
 *
 * Seeded ioctl fuzzer of /dev/procinfo; every call must succeed or fail with
 * a documented errno; prints seed and call count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hard.h"

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

int cmd_fuzz(int argc, char **argv)
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
