/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procinfo engine: the process walk shared by sysinfo.ko and continfo.ko.
 * Exported in the PROCINFO symbol namespace.
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

struct pid_namespace;
struct user_namespace;
struct proc_dir_entry;

/* Which processes a snapshot holds. */
enum procinfo_view {
	PROCINFO_VIEW_ALL,
	PROCINFO_VIEW_CONTAINERS,
};

/**
 * struct procinfo_snapshot - every process of one walk, in device ABI form
 * @records:	records sorted by pid, exactly as copied to user space
 * @nr_records:	records in use
 * @strings:	string area the records point into (raw command lines)
 * @strings_len: bytes used in @strings
 * @view:	the view it was taken for
 * @mem_total_kb: MemTotal at the time of the walk
 * @mem_free_kb: MemFree at the time of the walk
 * @timestamp_ns: CLOCK_BOOTTIME when the walk started
 * @pid_ns:	the reader's pid namespace (a reference is held)
 * @user_ns:	the reader's user namespace (a reference is held)
 * @restricted:	privacy mode applied: only processes of @uid are listed
 * @uid:	the reader's real uid, when @restricted
 */
struct procinfo_snapshot {
	struct procinfo_record *records;
	u32 nr_records;
	char *strings;
	size_t strings_len;
	enum procinfo_view view;
	u64 mem_total_kb;
	u64 mem_free_kb;
	u64 timestamp_ns;
	struct pid_namespace *pid_ns;
	struct user_namespace *user_ns;
	bool restricted;
	kuid_t uid;
};

struct procinfo_snapshot *procinfo_snapshot_take(struct pid_namespace *pid_ns,
						 struct user_namespace *user_ns,
						 enum procinfo_view view);
void procinfo_snapshot_free(struct procinfo_snapshot *snap);

struct proc_dir_entry *procinfo_json_file_create(const char *name,
						 enum procinfo_view view);

/* Internal to sysinfo.ko */
bool procinfo_snapshot_fits_reader(const struct procinfo_snapshot *snap);
int procinfo_device_register(void);
void procinfo_device_unregister(void);

#endif /* PROCINFO_ENGINE_H */
