// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard failslab FILE...
 *
 * Fail-nth fault injection on open+read of each FILE and on the snapshot
 * ioctl: ENOMEM, or EFAULT for an injected usercopy fault (77 when
 * unavailable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hard.h"

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

int cmd_failslab(int argc, char **argv)
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
