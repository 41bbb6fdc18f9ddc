/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The test oracle for C programs (procinfo-hard): the same readers and
 * rules procinfo-check judges with, so the tree has one JSON reader and
 * one snapshot checker, none of them the SDK's.
 */
#ifndef PROCINFO_ORACLE_H
#define PROCINFO_ORACLE_H

#include <linux/procinfo.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checks one whole /proc document (either view) by every rule of the
 * contract. NULL when it holds, else its first problem (and how many
 * more), valid until the next call. With pids, *pids becomes a malloc'ed
 * array of the entries' pids in document order, *npids their number.
 */
const char *oracle_check_json(const char *doc, size_t len, long **pids, size_t *npids);

/* The state letter of pid's entry in doc; 0 when unreadable or absent. */
char oracle_json_state(const char *doc, size_t len, long pid);

/*
 * Checks a snapshot the caller took on fd: req as the ioctl answered it,
 * buf its buffer, flags as asked. NULL or the first problem, as above.
 */
const char *oracle_check_snapshot(int fd, const struct procinfo_snapshot_req *req,
				  const unsigned char *buf, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* PROCINFO_ORACLE_H */
