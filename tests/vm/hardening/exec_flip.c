// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * exec-flip: the target of vm.hard.execrace. It execs itself forever,
 * alternately (a) with a 6,000-byte argv and a 4-byte environment and
 * (b) with a short argv and an 8,000-byte environment of "SECRET".
 *
 * With ASLR off the stack ends at the same address after every exec, and
 * exec copies the file name, then the environment, then argv downwards
 * from there, so image (b)'s environment lies where image (a)'s argv was,
 * including argv's last byte (the 4-byte environment of (a) moves it off
 * (b)'s final NUL). A reader that takes arg_start/arg_end from one
 * address space and reads the memory of the next one reads the secret.
 * Static and small, so each exec is quick.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char arg[6000], env[8000];
	int persona = personality(0xffffffff);

	if (!(persona & ADDR_NO_RANDOMIZE) && personality(persona | ADDR_NO_RANDOMIZE) < 0) {
		perror("exec-flip: personality");
		return 1;
	}
	memset(arg, 'A', sizeof(arg) - 1);
	strcpy(env, "X=");
	while (strlen(env) + sizeof("SECRET") < sizeof(env))
		strcat(env, "SECRET");

	if (argc >= 2 && !strcmp(argv[1], "long-argv")) {
		char *const args[] = { "exec-flip", "secret-env", NULL };
		char *const envs[] = { env, NULL };

		execve("/proc/self/exe", args, envs);
	} else {
		char *const args[] = { "exec-flip", "long-argv", arg, NULL };
		char *const envs[] = { "Y=1", NULL };

		execve("/proc/self/exe", args, envs);
	}
	perror("exec-flip: execve");
	return 1;
}
