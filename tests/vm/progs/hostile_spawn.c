// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hostile-spawn: starts processes whose names and command lines are hard
 * to report (quotes, control bytes, invalid UTF-8, 60 kB arguments, empty
 * argv, ')' in the name, a zombie, a traced process, container-like
 * command lines), waits
 * until each one is stopped, prints "PID LABEL" per line and exits. Every
 * process is in its own session, so none gets SIGHUP/SIGCONT when this
 * program exits, and none holds its stdout; they stay stopped (the zombie stays a zombie: its parent
 * is stopped and never reaps it).
 *
 *   hostile-spawn [--only LABEL,LABEL...] [--list]
 *
 * The stopped processes are this program again, execve'd with the argv a
 * case chooses and HOSTILE_STOP=1 in the environment: it sets the name
 * (HOSTILE_NAME, hex), optionally rewrites its argv area like
 * setproctitle(3) (HOSTILE_TITLE, hex), and stops itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXARGS 600

struct hcase {
	const char *label;
	const char *name; /* NULL: keep the exec name */
	const char *title; /* NULL: no setproctitle */
	int argc;
	char *argv[MAXARGS + 1];
};

static char self[4096];
static const char *only;

/* Detaches a child from our stdio: a $(hostile-spawn) must see EOF. */
static void detach(void)
{
	int fd = open("/dev/null", O_RDWR);

	setsid();
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "hostile-spawn: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *hex(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 1);

	if (!out)
		die("malloc");
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)s[i]);
	return out;
}

static char *unhex(const char *h)
{
	size_t n = strlen(h) / 2;
	char *out = malloc(n + 1);

	if (!out)
		die("malloc");
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (char)v;
	}
	out[n] = 0;
	return out;
}

static int wanted(const char *label)
{
	size_t n = strlen(label);
	const char *p = only;

	if (!only)
		return 1;
	while (p && *p) {
		if (!strncmp(p, label, n) && (p[n] == ',' || p[n] == 0))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* Waits until pid is stopped; returns 0 on success. */
static int wait_stopped(pid_t pid)
{
	int st;

	for (;;) {
		if (waitpid(pid, &st, WUNTRACED) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFSTOPPED(st))
			return 0;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -1;
	}
}

/* The stopper: runs with the argv of the case. */
static _Noreturn void stopper(char **argv)
{
	const char *hname = getenv("HOSTILE_NAME");
	const char *title = getenv("HOSTILE_TITLE");
	/* Decode before the title may overwrite the environment. */
	char *name = hname ? unhex(hname) : NULL;

	if (title && argv[0]) {
		/* setproctitle(3): overwrite argv and spill into environ. */
		char *t = unhex(title);
		char *start = argv[0];
		char *end = start;
		size_t n = strlen(t);

		for (char **e = environ; *e; e++)
			end = *e + strlen(*e);
		if ((size_t)(end - start) > n) {
			memcpy(start, t, n);
			memset(start + n, 0, (size_t)(end - start) - n);
		}
	}
	if (name)
		prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
	raise(SIGSTOP);
	for (;;)
		pause();
}

static void spawn(struct hcase *c)
{
	char *envp[5];
	int ne = 0;
	pid_t pid;
	static char pad[512];

	if (!wanted(c->label))
		return;
	envp[ne++] = "HOSTILE_STOP=1";
	if (c->name) {
		static char buf[256];

		snprintf(buf, sizeof(buf), "HOSTILE_NAME=%s", hex(c->name));
		envp[ne++] = strdup(buf);
	}
	if (c->title) {
		static char buf[1024];

		snprintf(buf, sizeof(buf), "HOSTILE_TITLE=%s", hex(c->title));
		envp[ne++] = strdup(buf);
		/* Room in the environment for the title to spill into. */
		memset(pad, 'p', sizeof(pad) - 1);
		memcpy(pad, "HOSTILE_PAD=", 12);
		envp[ne++] = pad;
	}
	envp[ne] = NULL;
	c->argv[c->argc] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		detach();
		execve(self, c->argv, envp);
		_exit(127);
	}
	if (wait_stopped(pid))
		fprintf(stderr, "hostile-spawn: %s (pid %d) did not stop\n", c->label, pid);
	else
		printf("%d %s\n", pid, c->label);
	fflush(stdout);
}

/* A zombie: its parent (stopped, never reaping) and the exited child. */
static void spawn_zombie(void)
{
	int fds[2];
	pid_t parent, z = 0;

	if (!wanted("zombie"))
		return;
	if (pipe(fds))
		die("pipe");
	parent = fork();
	if (parent < 0)
		die("fork");
	if (parent == 0) {
		siginfo_t si;
		pid_t kid;

		detach();
		prctl(PR_SET_NAME, (unsigned long)"zparent", 0, 0, 0);
		kid = fork();
		if (kid == 0) {
			prctl(PR_SET_NAME, (unsigned long)"zombie kid", 0, 0, 0);
			_exit(0);
		}
		/* Wait for the exit without reaping. */
		while (waitid(P_PID, kid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
		if (write(fds[1], &kid, sizeof(kid)) != sizeof(kid))
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &z, sizeof(z)) != sizeof(z) || wait_stopped(parent)) {
		fprintf(stderr, "hostile-spawn: zombie parent failed\n");
		return;
	}
	close(fds[0]);
	printf("%d zparent\n%d zombie\n", parent, z);
	fflush(stdout);
}

/* A process in tracing stop ('t'): its tracer attached, then stopped. */
static void spawn_traced(void)
{
	int fds[2];
	pid_t tracer, kid = 0;

	if (!wanted("traced"))
		return;
	if (pipe(fds))
		die("pipe");
	tracer = fork();
	if (tracer < 0)
		die("fork");
	if (tracer == 0) {
		int st;

		detach();
		prctl(PR_SET_NAME, (unsigned long)"tracer", 0, 0, 0);
		kid = fork();
		if (kid == 0) {
			prctl(PR_SET_NAME, (unsigned long)"traced", 0, 0, 0);
			for (;;)
				pause();
		}
		if (ptrace(PTRACE_ATTACH, kid, 0, 0) != 0 || waitpid(kid, &st, 0) != kid ||
		    !WIFSTOPPED(st))
			_exit(1);
		if (write(fds[1], &kid, sizeof(kid)) != sizeof(kid))
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &kid, sizeof(kid)) != sizeof(kid) || wait_stopped(tracer)) {
		fprintf(stderr, "hostile-spawn: tracer failed\n");
		return;
	}
	close(fds[0]);
	printf("%d tracer\n%d traced\n", tracer, kid);
	fflush(stdout);
}

static char *repeat(const char *unit, size_t times, const char *prefix)
{
	size_t u = strlen(unit), p = prefix ? strlen(prefix) : 0;
	char *s = malloc(p + u * times + 1);

	if (!s)
		die("malloc");
	if (p)
		memcpy(s, prefix, p);
	for (size_t i = 0; i < times; i++)
		memcpy(s + p + i * u, unit, u);
	s[p + u * times] = 0;
	return s;
}

#define ARGS(...) .argv = { __VA_ARGS__ }, .argc = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)

int main(int argc, char **argv)
{
	ssize_t n;

	if (getenv("HOSTILE_STOP"))
		stopper(argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			only = "";
		} else {
			fprintf(stderr, "usage: hostile-spawn [--only LABEL,...]\n");
			return 2;
		}
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("readlink /proc/self/exe");
	self[n] = 0;

	struct hcase cases[] = {
		{ .label = "quote", .name = "q\"uo\\te",
		  ARGS("/x/quote\"me", "back\\slash", "a\"b\\\"c\\\\") },
		{ .label = "ctl", .name = "c\nl\tr\x1b\x01\x7f",
		  ARGS("ctl", "new\nline", "tab\there", "esc\x1b[31mred", "\x01\x02\x1f\x7f",
		       "cr\r ff\f bs\b") },
		/* 17 bytes: the kernel cuts the name inside the emoji. */
		{ .label = "utf8", .name = "ñandú→✓😀",
		  ARGS("ñandú→✓😀", "日本語", "€") },
		{ .label = "badutf8", .name = "\xff\xc3(\xc0\xaf\xed\xa0\x80\xf0\x9f\x98",
		  ARGS("bad", "\xff", "\xc3", "x\xc0\xafy", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		       "\xc3\x28", "\xe2\x82", "\xf8\x88\x80\x80\x80", "ok\xf0\x9f\x98") },
		/* 60 kB: cut at 4096 raw bytes, inside a 2-byte character. */
		{ .label = "bigarg", .name = "bigarg", ARGS("bigarg", NULL) },
		{ .label = "emptyargv", .name = "emptyargv", .argc = 0 },
		{ .label = "paren", .name = "a) b (c) d)", ARGS("(paren) x", ") ", " ( ") },
		{ .label = "longname", .name = "abcdefghijklmnopqrstuvwxyz",
		  ARGS("longname") },
		{ .label = "emptyargs", .name = "emptyargs", ARGS("a", "", "b", "", "") },
		{ .label = "cap4096", .name = "cap4096", ARGS("cap", NULL) },
		{ .label = "manyargs", .name = "manyargs", .argc = 0 },
		{ .label = "proctitle", .name = "proctitle",
		  .title = "proctitle: worker docker-ish title",
		  ARGS("pt", "a", "b") },
		{ .label = "runc", .name = "runc", ARGS("/usr/bin/runc", "init") },
		{ .label = "docker", .name = "dockerd", ARGS("dockerd", "--debug") },
		{ .label = "container", .name = "containerd-shim",
		  ARGS("/usr/bin/containerd-shim-runc-v2", "-namespace", "moby") },
		{ .label = "busybox", .name = "sleep", ARGS("busybox", "sleep", "1000") },
		{ .label = "nearmiss", .name = "nearmiss",
		  ARGS("Docker", "RUNC", "contain er", "busy box", "dock", "er", "Container") },
		/* "docker" only past the 4096-byte cap: not a container. */
		{ .label = "farmatch", .name = "farmatch", ARGS("farmatch", NULL, "docker") },
		/* "runc" ends exactly at byte 4096 (in) / one byte later (out). */
		{ .label = "edge-in", .name = "edge-in", ARGS("edge", NULL, "runc") },
		{ .label = "edge-out", .name = "edge-out", ARGS("edge", NULL, "runc") },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hcase *c = &cases[i];

		if (!strcmp(c->label, "bigarg"))
			c->argv[1] = repeat("\xc3\xa9", 30000, NULL); /* é: 60000 bytes */
		else if (!strcmp(c->label, "cap4096"))
			c->argv[1] = repeat("b", 4092, NULL); /* 4096 bytes + NUL */
		else if (!strcmp(c->label, "farmatch"))
			c->argv[1] = repeat("a", 4200, NULL);
		else if (!strcmp(c->label, "edge-in"))
			c->argv[1] = repeat("e", 4086, NULL); /* "runc" at 4092..4095 */
		else if (!strcmp(c->label, "edge-out"))
			c->argv[1] = repeat("e", 4087, NULL); /* "runc" at 4093..4096 */
		else if (!strcmp(c->label, "manyargs")) {
			for (int k = 0; k < 500; k++) {
				char b[16];

				snprintf(b, sizeof(b), "%d", k);
				c->argv[c->argc++] = strdup(b);
			}
		}
		spawn(c);
	}
	spawn_zombie();
	spawn_traced();
	return 0;
}
