// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cpu-burn N SECONDS: starts a process whose N threads each burn SECONDS of
 * their own CPU time, then stay blocked; its main thread then stops the
 * whole group (SIGSTOP). Prints the pid once the group is stopped, and
 * exits (the burner is in its own session and stays stopped).
 * The group's user+system time is then about N * SECONDS: the test checks
 * that the driver counts every thread, not just the leader.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds;
static pthread_barrier_t done;

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *burn(void *arg)
{
	volatile unsigned long x = 0;

	(void)arg;
	while (thread_cpu() < seconds)
		for (int i = 0; i < 100000; i++)
			x += i;
	pthread_barrier_wait(&done);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	int n, st;
	pid_t pid;

	if (argc != 3 || (n = atoi(argv[1])) < 1 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: cpu-burn THREADS SECONDS\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		pthread_t t;
		int fd = open("/dev/null", O_RDWR);

		/* Own session, no stdio of ours: $(cpu-burn ...) sees EOF. */
		setsid();
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		prctl(PR_SET_NAME, (unsigned long)"cpu-burn", 0, 0, 0);
		pthread_barrier_init(&done, NULL, (unsigned)n + 1);
		for (int i = 0; i < n; i++)
			if (pthread_create(&t, NULL, burn, NULL)) {
				fprintf(stderr, "cpu-burn: pthread_create failed\n");
				_exit(2);
			}
		pthread_barrier_wait(&done);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	for (;;) {
		if (waitpid(pid, &st, WUNTRACED) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFSTOPPED(st))
			break;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			fprintf(stderr, "cpu-burn: burner died\n");
			return 1;
		}
	}
	printf("%d\n", pid);
	return 0;
}
