/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procinfo engine: the process walk, the per-user memory limit and the JSON
 * files, shared by the parts of sysinfo.ko. continfo.ko uses only
 * procinfo_json_file_create(), exported in the PROCINFO symbol namespace.
 */
#ifndef PROCINFO_ENGINE_H
#define PROCINFO_ENGINE_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/procinfo.h>

/* The top-level VERSION file, passed in by Kbuild. */
#ifndef PROCINFO_VERSION
#error "PROCINFO_VERSION is not set: build the modules through driver/Kbuild"
#endif

/* Set by the compile probe in Kbuild (namespaces are strings since 6.13). */
#ifdef PROCINFO_NS_IS_STRING
#define PROCINFO_NS "PROCINFO"
#else
#define PROCINFO_NS PROCINFO
#endif

/* Built with make PROCINFO_PROFILE=1: snapshots log their parts' cost */
#ifdef PROCINFO_PROFILE
#define PROCINFO_PROFILING 1
#else
#define PROCINFO_PROFILING 0
#endif

struct cred;
struct path;
struct pid;
struct pid_namespace;
struct user_namespace;
struct proc_dir_entry;
struct procinfo_user;

/**
 * struct procinfo_charge - memory one snapshot or open file holds for a user
 * @user:	the user it is counted against; NULL when the reader is exempt
 * @bytes:	bytes counted
 *
 * Every allocation whose lifetime user space controls (an open JSON file, a
 * pending device snapshot) is counted here, against a per-user limit, as
 * well as charged to the reader's memory cgroup (GFP_KERNEL_ACCOUNT).
 */
struct procinfo_charge {
	struct procinfo_user *user;
	size_t bytes;
};

int procinfo_charge_init(struct procinfo_charge *charge);
int procinfo_charge_add(struct procinfo_charge *charge, size_t bytes);
void procinfo_charge_sub(struct procinfo_charge *charge, size_t bytes);
void procinfo_charge_release(struct procinfo_charge *charge);
void *procinfo_alloc(struct procinfo_charge *charge, size_t n, size_t size);
void procinfo_free(struct procinfo_charge *charge, void *p, size_t n,
		   size_t size);

/**
 * struct procinfo_snapshot - every process of one walk, in device ABI form
 * @records:	records sorted by pid, exactly as copied to user space
 * @nr_records:	records in use
 * @records_cap: records allocated
 * @strings:	string area the records point into (raw command lines)
 * @strings_len: bytes used in @strings
 * @strings_cap: bytes allocated for @strings
 * @select:	PROCINFO_REASON_* a process needs to be listed; 0: all
 * @no_cmdline:	command lines left out and not read (so no keyword rule)
 * @mem_total_kb: MemTotal at the time of the walk
 * @mem_free_kb: MemFree at the time of the walk
 * @timestamp_ns: CLOCK_BOOTTIME of the reader's time namespace when the
 *		walk started
 * @charge:	memory of this snapshot counted against the reader
 * @pid_ns:	pid namespace the pids are in (a reference is held)
 * @user_ns:	user namespace uids and gids are mapped into (reference held)
 * @owner:	thread group that took it (reference held)
 * @cred:	credentials it was taken with (reference held)
 * @restricted:	privacy mode applied: only processes of @uid are listed
 * @uid:	the reader's real uid, when @restricted
 */
struct procinfo_snapshot {
	struct procinfo_record *records;
	u32 nr_records;
	size_t records_cap;
	char *strings;
	size_t strings_len;
	size_t strings_cap;
	u32 select;
	bool no_cmdline;
	u64 mem_total_kb;
	u64 mem_free_kb;
	u64 timestamp_ns;
	struct procinfo_charge charge;
	struct pid_namespace *pid_ns;
	struct user_namespace *user_ns;
	struct pid *owner;
	const struct cred *cred;
	bool restricted;
	kuid_t uid;
};

struct procinfo_snapshot *procinfo_snapshot_take(struct pid_namespace *pid_ns,
						 const struct path *proc_root,
						 u32 select, bool no_cmdline);
void procinfo_snapshot_free(struct procinfo_snapshot *snap);
bool procinfo_snapshot_fits_reader(const struct procinfo_snapshot *snap);

struct proc_dir_entry *procinfo_json_file_create(const char *name,
						 const u32 *select);

int procinfo_device_register(void);
void procinfo_device_unregister(void);

#endif /* PROCINFO_ENGINE_H */
