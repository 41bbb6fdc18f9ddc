// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench-spawn N: forks N processes that only pause(), the population
 * procinfo-bench reads: about half with this program's short argv, half
 * with a ~200-byte one, and every 10th of each half with 3 extra threads
 * (a process's threads are walked and summed by every reader). Prints their
 * pids one per line and exits once all exist (they stay, reparented).
 *
 * The long half comes from one re-exec of this program with a long argv
 * ("bench-spawn -l COUNT PAD"), whose children share it: one exec in all,
 * not one per child. Static, like mass-spawn: each child costs little more
 * than its kernel objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { long_pad = 180, threads_per_process = 3, threaded_every = 10 };

static void *sleeper(void *unused)
{
	(void)unused;
	for (;;)
		pause();
	return NULL;
}

static void child(int null, int threaded)
{
	/* Hold none of our stdio: $(bench-spawn N) sees EOF. */
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (threaded) {
		pthread_attr_t attr;
		pthread_t t;

		/* Small stacks: thousands of these threads must fit. */
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		/* A thread that cannot start leaves a process all the same. */
		for (int i = 0; i < threads_per_process; i++)
			pthread_create(&t, &attr, sleeper, NULL);
	}
	for (;;)
		pause();
}

static int spawn(long n, int null)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "bench-spawn: fork #%ld: %s\n", i, strerror(errno));
			return 1;
		}
		if (pid == 0)
			child(null, i % threaded_every == 0);
		printf("%d\n", pid);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int null = open("/dev/null", O_RDWR);
	long n;

	if (argc == 4 && strcmp(argv[1], "-l") == 0 && (n = atol(argv[2])) >= 0)
		return spawn(n, null);
	if (argc != 2 || (n = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: bench-spawn N\n");
		return 2;
	}
	/* A new session: no SIGHUP for the children when this one exits. */
	setsid();
	if (spawn(n - n / 2, null))
		return 1;
	if (n / 2 == 0)
		return 0;

	char count[32], pad[long_pad + 1];

	snprintf(count, sizeof(count), "%ld", n / 2);
	memset(pad, 'x', long_pad);
	memcpy(pad, "--pad=", 6);
	pad[long_pad] = '\0';
	char *const long_argv[] = { argv[0], "-l", count, pad, NULL };

	execv("/proc/self/exe", long_argv);
	fprintf(stderr, "bench-spawn: exec /proc/self/exe: %s\n", strerror(errno));
	return 1;
}
