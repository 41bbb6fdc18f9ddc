// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard dethread --seconds S [--json FILE]
 *
 * A child whose non-leader threads keep exec'ing; its record (and its
 * document entry, read by the oracle) must never be a dead leader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hard.h"

static void *exec_from_thread(void *arg)
{
	char gen[32];

	snprintf(gen, sizeof(gen), "%ld", (long)(intptr_t)arg + 1);
	char *const args[] = { "procinfo-hard", "dethread", "--child", gen, NULL };

	execv(SELF_EXE, args);
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
