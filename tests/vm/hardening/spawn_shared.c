// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard spawn-shared N LEN
 *
 * N processes sharing one address space whose argv is LEN bytes of 0x01
 * (CLONE_VM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hard.h"

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

		execv(SELF_EXE, args);
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
