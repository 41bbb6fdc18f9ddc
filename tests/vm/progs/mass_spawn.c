// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mass-spawn N: forks N processes that only pause(), prints their pids one
 * per line and exits once all exist (they stay, reparented). Built
 * static and small: each child costs little more than its kernel objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n;

	if (argc != 2 || (n = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: mass-spawn N\n");
		return 2;
	}
	/* A new session: no SIGHUP for the children when this one exits. */
	setsid();
	int null = open("/dev/null", O_RDWR);

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "mass-spawn: fork #%ld: %s\n", i, strerror(errno));
			return 1;
		}
		if (pid == 0) {
			/* Hold none of our stdio: $(mass-spawn N) sees EOF. */
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			for (;;)
				pause();
		}
		printf("%d\n", pid);
	}
	fflush(stdout);
	return 0;
}
