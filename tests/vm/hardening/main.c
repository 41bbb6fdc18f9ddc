// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * procinfo-hard: guest-side hardening checks of sysinfo.ko / continfo.ko
 * (stress, hostile input, disclosure, the security and accuracy rules).
 * One program, one file per subcommand (its usage is at its top); this
 * one only dispatches. What they read they judge through the test oracle
 * (oracle.h); shared helpers are in hard_common.c.
 */
#include <stdio.h>
#include <string.h>

#include "hard.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "fuzz", cmd_fuzz },
	{ "race", cmd_race },
	{ "fileops", cmd_fileops },
	{ "disclose", cmd_disclose },
	{ "failslab", cmd_failslab },
	{ "list", cmd_list },
	{ "nscheck", cmd_nscheck },
	{ "read", cmd_read },
	{ "storm", cmd_storm },
	{ "as-uid", cmd_as_uid },
	{ "mem", cmd_mem },
	{ "leakscan", cmd_leakscan },
	{ "hold", cmd_hold },
	{ "spawn-shared", cmd_spawn_shared },
	{ "dethread", cmd_dethread },
	{ "timens", cmd_timens },
	{ "cmdflags", cmd_cmdflags },
	{ "scan", cmd_scan },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s fuzz|race|fileops|disclose|failslab|list|nscheck|read|"
			"storm|as-uid|mem|leakscan|hold|spawn-shared|dethread|timens|cmdflags|scan ...\n", prog);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command %s\n", prog, argv[1]);
	return 2;
}
