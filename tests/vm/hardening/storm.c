// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard storm [--seconds S]
 *
 * Fork/exec/exit, threads and prctl renames.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hard.h"

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

int cmd_storm(int argc, char **argv)
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
