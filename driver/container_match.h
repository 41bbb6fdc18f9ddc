/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Container identity from a cgroup path: which runtime's naming the path
 * follows, the container id (or name) and the Kubernetes pod uid.
 *
 * One source, compiled twice: into sysinfo.ko and, as plain C, into
 * libprocinfo, so that the kernel and user space classify a path alike.
 * container_match.c lists the path shapes and where each comes from.
 */
#ifndef PROCINFO_CONTAINER_MATCH_H
#define PROCINFO_CONTAINER_MATCH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Runtimes. The values are ABI: the uapi header mirrors them. It must
 * spell each one identically (#define PROCINFO_RUNTIME_DOCKER 1, ...):
 * a translation unit that includes both then compiles only while the two
 * agree (an identical macro redefinition is allowed, a different one is
 * diagnosed). Values are never reused; new runtimes get new numbers.
 */
#define PROCINFO_RUNTIME_NONE		0 /* no container path matched */
#define PROCINFO_RUNTIME_DOCKER		1 /* "docker" */
#define PROCINFO_RUNTIME_CONTAINERD	2 /* "containerd" (CRI plugin) */
#define PROCINFO_RUNTIME_CRIO		3 /* "crio" (CRI-O) */
#define PROCINFO_RUNTIME_PODMAN		4 /* "podman" */
#define PROCINFO_RUNTIME_LXC		5 /* "lxc" (LXC, LXD, Incus) */
#define PROCINFO_RUNTIME_NSPAWN		6 /* "nspawn" (systemd-nspawn) */
#define PROCINFO_RUNTIME_LAST		6 /* highest value in use */

/* Longest id or name kept, in bytes, without the NUL. */
#define PROCINFO_CONTAINER_ID_MAX	64
/* Longest pod uid kept: a UUID, 8-4-4-4-12. */
#define PROCINFO_POD_UID_MAX		36

/* procinfo_container_match.flags */
#define PROCINFO_MATCH_ID_CUT		0x1U /* name longer than id[] */
#define PROCINFO_MATCH_POD_UID_CUT	0x2U /* longer than pod_uid[] */

/*
 * The result of procinfo_match_cgroup(). Both strings are always
 * NUL-terminated; with no match every field is zero.
 */
struct procinfo_container_match {
	unsigned int runtime;	/* PROCINFO_RUNTIME_* */
	unsigned int flags;	/* PROCINFO_MATCH_* */
	/* 64 lower-case hex digits, or the LXC / nspawn name (unescaped) */
	char id[PROCINFO_CONTAINER_ID_MAX + 1];
	/* Kubernetes pod uid with dashes, "" outside a pod */
	char pod_uid[PROCINFO_POD_UID_MAX + 1];
};

/*
 * Classifies the cgroup v2 path @path (as /proc/<pid>/cgroup shows it
 * after "0::", or the path of one v1 hierarchy), @len bytes, not
 * necessarily NUL-terminated: a NUL byte ends the path early. Never reads
 * past @len. The innermost (deepest) component that matches a rule wins.
 * Fills *@out and returns out->runtime (PROCINFO_RUNTIME_NONE: no match).
 *
 * A caller that had to cut a longer path must first drop the partial last
 * component (cut back to a '/'), so that a cut name never matches, and
 * report the cut itself: the result then names the innermost container
 * within the part kept.
 */
unsigned int procinfo_match_cgroup(const char *path, size_t len,
				   struct procinfo_container_match *out);

/*
 * Returns the runtime's name as the tools print it ("docker", "containerd",
 * "crio", "podman", "lxc", "nspawn"), or "" for PROCINFO_RUNTIME_NONE and
 * values this build does not know.
 */
const char *procinfo_runtime_name(unsigned int runtime);

#ifdef __cplusplus
}
#endif

#endif /* PROCINFO_CONTAINER_MATCH_H */
