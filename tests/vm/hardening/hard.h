/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * procinfo-hard: guest-side hardening checks of sysinfo.ko / continfo.ko.
 * Shared helpers (hard_common.c) and the subcommands (a file each). What
 * it reads (JSON documents, snapshots) it judges through the test oracle
 * (tests/vm/oracle, oracle.h).
 */
#ifndef PROCINFO_HARD_H
#define PROCINFO_HARD_H

#include <linux/procinfo.h>
#include "oracle.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEV "/dev/procinfo"
#define PAT 0xA5
/* What spawn-shared and dethread exec again */
#define SELF_EXE "/proc/self/exe"

extern const char *prog;
extern uint64_t rng_state;

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
double now(void);
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);
long opt_long(int *argc, char ***argv, const char *name, long def);
const char *opt_str(int *argc, char ***argv, const char *name);
bool opt_flag(int *argc, char ***argv, const char *name);
bool all_zero(const void *p, size_t n);
bool errno_allowed(int e);
long *json_pids(const char *path, size_t *n);

/* One device snapshot in a buffer that grows as needed. */
struct snap {
	unsigned char *buf;
	size_t cap;
	struct procinfo_snapshot_req req;
};

int take_snapshot(int fd, struct snap *s, uint32_t flags);
char *slurp(const char *path, size_t *len, int *err);

static inline const struct procinfo_record *snap_record(const struct snap *s, uint32_t i)
{
	return (const void *)(s->buf + (size_t)i * s->req.record_size);
}

/* The subcommands, one file each */
int cmd_fuzz(int argc, char **argv);
int cmd_race(int argc, char **argv);
int cmd_fileops(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_failslab(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_nscheck(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_storm(int argc, char **argv);
int cmd_as_uid(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_leakscan(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_spawn_shared(int argc, char **argv);
int cmd_dethread(int argc, char **argv);
int cmd_timens(int argc, char **argv);
int cmd_cmdflags(int argc, char **argv);
int cmd_scan(int argc, char **argv);

#endif /* PROCINFO_HARD_H */
