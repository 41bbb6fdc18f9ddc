// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard race [--seconds S]
 *
 * Snapshots into a buffer another thread keeps unmapping and remapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hard.h"

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

int cmd_race(int argc, char **argv)
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
