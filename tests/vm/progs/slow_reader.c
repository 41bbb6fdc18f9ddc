// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slow-reader: holds a file open across a module unload.
 *
 *   slow-reader FILE FIRST GOFILE
 *	opens FILE, reads FIRST bytes, prints "held N", waits until GOFILE
 *	exists, then reads to the end and prints how that ended:
 *	"rest N eof" or "rest N error EIO" (both clean: exit 0), or another
 *	error (exit 1).
 *   slow-reader --device DEV GOFILE
 *	opens DEV, asks PROCINFO_IOC_VERSION, prints "held", waits for
 *	GOFILE, asks again, prints the result and closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/procinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void wait_for(const char *go)
{
	for (int i = 0; i < 6000 && access(go, F_OK) != 0; i++)
		usleep(100000);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	long first, got = 0;
	ssize_t n;
	int fd;

	if (argc == 4 && !strcmp(argv[1], "--device")) {
		struct procinfo_version v;

		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, PROCINFO_IOC_VERSION, &v)) {
			printf("open/ioctl %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		printf("held\n");
		fflush(stdout);
		wait_for(argv[3]);
		if (ioctl(fd, PROCINFO_IOC_VERSION, &v))
			printf("after: ioctl error %s\n", strerrorname_np(errno));
		else
			printf("after: ioctl ok (ABI %u.%u)\n", v.major, v.minor);
		close(fd);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: slow-reader FILE FIRST GOFILE | --device DEV GOFILE\n");
		return 2;
	}
	first = atol(argv[2]);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (got < first) {
		n = read(fd, buf, (size_t)(first - got) < sizeof(buf) ? (size_t)(first - got)
								       : sizeof(buf));
		if (n <= 0)
			break;
		got += n;
	}
	printf("held %ld\n", got);
	fflush(stdout);
	wait_for(argv[3]);
	got = 0;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			got += n;
			continue;
		}
		if (n == 0) {
			printf("rest %ld eof\n", got);
			break;
		}
		printf("rest %ld error %s\n", got, strerrorname_np(errno));
		close(fd);
		return errno == EIO ? 0 : 1;
	}
	close(fd);
	return 0;
}
