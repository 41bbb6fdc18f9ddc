/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * procinfo - process information driver, user-space ABI.
 *
 * This header is shared, unchanged, by the driver (sysinfo.ko) and by every
 * user-space reader (libprocinfo). It describes the character device
 * /dev/procinfo. The /proc JSON files are described in the project README.
 *
 * ABI rules
 * ---------
 *  - Only fixed-size types, explicit padding, every struct a multiple of
 *    8 bytes, user pointers as __aligned_u64.
 *  - PROCINFO_ABI_MAJOR changes only when a released layout or meaning
 *    changes incompatibly; readers must refuse a driver whose major differs
 *    from theirs. PROCINFO_ABI_MINOR grows when something is added
 *    compatibly (a feature bit, a request field at the end, a record field
 *    taken from a reserved one); readers accept any minor.
 *  - Request structs start with their size (PROCINFO_SNAPSHOT_REQ_SIZE_VER0
 *    for this version). The driver reads them like copy_struct_from_user():
 *    a shorter struct from an older caller is zero-extended; a longer one
 *    from a newer caller is accepted only if the bytes this driver does not
 *    know are zero (else -E2BIG). Output fields are written back only up to
 *    the caller's size.
 *  - Records are fixed-size; their size is reported (record_size) so a
 *    reader steps by it and newer drivers may append fields.
 *
 * Typical use
 * -----------
 *   fd = open("/dev/procinfo", O_RDONLY | O_CLOEXEC);
 *   ioctl(fd, PROCINFO_IOC_VERSION, &ver);         check ver.major
 *   req.size = sizeof(req); req.buf = (__u64)(uintptr_t)buf; req.buf_len = n;
 *   if (ioctl(fd, PROCINFO_IOC_SNAPSHOT, &req) < 0 && errno == ENOSPC) {
 *           grow buf to req.needed; req.flags |= PROCINFO_SNAP_RETRY;
 *           ioctl(fd, PROCINFO_IOC_SNAPSHOT, &req);  same snapshot, no rewalk
 *   }
 *   records at buf + req.records_offset, req.nr_records of req.record_size
 *   bytes each; strings at buf + req.strings_offset, req.strings_len bytes.
 */
#ifndef _UAPI_LINUX_PROCINFO_H
#define _UAPI_LINUX_PROCINFO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PROCINFO_DEVICE_NAME	"procinfo"	/* /dev/procinfo */

/*
 * The JSON files under /proc (the names are part of the contract): every
 * process from sysinfo.ko, the container processes from continfo.ko.
 */
#define PROCINFO_SYSINFO_PROC_NAME	"sysinfo_so1_202041390"
#define PROCINFO_CONTINFO_PROC_NAME	"continfo_so1_202041390"

/*
 * ABI 2.0 moved the ioctls from magic 0xB8 (taken in mainline by
 * uapi/linux/mshv.h and uapi/misc/mrvl_cn10k_dpi.h) to 0xD7 and fixed the
 * number of PROCINFO_IOC_SNAPSHOT; its structs are those of 1.0. A 2.x
 * driver does not answer the 1.x numbers: readers that find none of the
 * PROCINFO_IOC_* below answered may probe PROCINFO_IOC_VERSION_V1 to tell
 * the user that the driver is older than they are.
 */
#define PROCINFO_ABI_MAJOR	2
#define PROCINFO_ABI_MINOR	2

/* Longest command line kept per process, in raw /proc/<pid>/cmdline bytes. */
#define PROCINFO_CMDLINE_MAX	4096
/* Longest process name (comm) without its terminating NUL. */
#define PROCINFO_COMM_LEN	16

/*
 * A snapshot that failed with ENOSPC stays pending for a
 * PROCINFO_SNAP_RETRY on the same open file at most this long.
 */
#define PROCINFO_PENDING_TIMEOUT_SEC	10

/* Feature bits reported in procinfo_version.features. */
#define PROCINFO_FEAT_CONTAINERS_VIEW	(1ULL << 0) /* PROCINFO_SNAP_CONTAINERS */
#define PROCINFO_FEAT_RETRY		(1ULL << 1) /* PROCINFO_SNAP_RETRY */
/* Records carry the container identity fields and reasons (ABI 2.1) */
#define PROCINFO_FEAT_CONTAINER_ID	(1ULL << 2)
/* PROCINFO_SNAP_NO_CMDLINE is understood (ABI 2.2) */
#define PROCINFO_FEAT_NO_CMDLINE	(1ULL << 3)

/**
 * struct procinfo_version - answer of PROCINFO_IOC_VERSION
 * @major:		PROCINFO_ABI_MAJOR of the driver
 * @minor:		PROCINFO_ABI_MINOR of the driver
 * @record_size:	sizeof(struct procinfo_record) the driver writes
 * @req_size:		sizeof(struct procinfo_snapshot_req) the driver knows
 * @features:		PROCINFO_FEAT_* bits
 * @user_hz:		clock ticks per second used for *_ticks (USER_HZ)
 * @page_size:		page size of the running kernel, bytes
 * @reserved:		zero
 *
 * Output only; the driver zeroes the whole struct before filling it.
 */
struct procinfo_version {
	__u32 major;
	__u32 minor;
	__u32 record_size;
	__u32 req_size;
	__u64 features;
	__u32 user_hz;
	__u32 page_size;
	__u64 reserved[4];
};

/* procinfo_snapshot_req.flags (input) */
/*
 * Only container processes: those with PROCINFO_REC_CONTAINER, i.e. any of
 * the PROCINFO_REASON_* bits. A reader that wants one rule only filters the
 * records by their reasons (the kernel keeps one view, the union).
 */
#define PROCINFO_SNAP_CONTAINERS (1U << 0)
/*
 * Hand out the snapshot that the previous PROCINFO_IOC_SNAPSHOT call on this
 * open file could not deliver (it failed with ENOSPC), instead of taking a
 * new one. A new one is taken instead when there is no such pending
 * snapshot: none failed, its view differs, it is older than
 * PROCINFO_PENDING_TIMEOUT_SEC, or the caller is not the process (thread
 * group) that took it, with the same credentials and pid namespace. Any
 * call without this flag discards a pending snapshot.
 */
#define PROCINFO_SNAP_RETRY	 (1U << 1)
/*
 * Records without command lines (cmdline_len 0), which are then not read
 * at all: the most expensive part of a snapshot, and one a reader polling
 * sizes and CPU times (an exporter) has no use for. The keyword rule needs
 * them, so PROCINFO_REASON_KEYWORD is never set, and with
 * PROCINFO_SNAP_CONTAINERS the other reasons select. Drivers with
 * PROCINFO_FEAT_NO_CMDLINE know it; older ones refuse it with EINVAL. A
 * retry must repeat it: a pending snapshot taken without it is not handed
 * out, and vice versa.
 */
#define PROCINFO_SNAP_NO_CMDLINE (1U << 2)
#define PROCINFO_SNAP_ALL_FLAGS	 (PROCINFO_SNAP_CONTAINERS | PROCINFO_SNAP_RETRY | \
				  PROCINFO_SNAP_NO_CMDLINE)

/**
 * struct procinfo_snapshot_req - argument of PROCINFO_IOC_SNAPSHOT
 * @size:		in: sizeof this struct as the caller knows it
 * @flags:		in: PROCINFO_SNAP_*; unknown bits give EINVAL
 * @buf:		in: user address of the output buffer (8-byte aligned
 *			is best, any alignment works)
 * @buf_len:		in: bytes available at @buf
 * @needed:		out: bytes the snapshot occupies; on ENOSPC, the
 *			buffer size that makes a PROCINFO_SNAP_RETRY call fit
 * @nr_records:		out: records written
 * @record_size:	out: bytes per record (>= sizeof(struct procinfo_record))
 * @records_offset:	out: offset of the first record in @buf (0)
 * @strings_offset:	out: offset of the string area in @buf
 * @strings_len:	out: bytes used in the string area
 * @mem_total_kb:	out: MemTotal of /proc/meminfo, KiB
 * @mem_free_kb:	out: MemFree of /proc/meminfo, KiB
 * @timestamp_ns:	out: CLOCK_BOOTTIME of the caller's time namespace
 *			when the walk started, ns
 * @user_hz:		out: ticks per second of the *_ticks fields
 * @reserved0:		in: zero; out: zero
 * @reserved:		in: zero; out: zero
 *
 * Records are sorted by ascending pid. Bytes of the buffer past
 * strings_offset + strings_len are not written.
 */
struct procinfo_snapshot_req {
	__u32 size;
	__u32 flags;
	__aligned_u64 buf;
	__u64 buf_len;
	__u64 needed;
	__u32 nr_records;
	__u32 record_size;
	__u64 records_offset;
	__u64 strings_offset;
	__u64 strings_len;
	__u64 mem_total_kb;
	__u64 mem_free_kb;
	__u64 timestamp_ns;
	__u32 user_hz;
	__u32 reserved0;
	__u64 reserved[4];
};

#define PROCINFO_SNAPSHOT_REQ_SIZE_VER0	128 /* sizeof in ABI 1.0 */

/* procinfo_record.flags */
#define PROCINFO_REC_KTHREAD		(1U << 0) /* kernel thread (PF_KTHREAD) */
#define PROCINFO_REC_CONTAINER		(1U << 1) /* a container process: any
						   * PROCINFO_REASON_* (before
						   * 2.1: the keyword rule)
						   */
#define PROCINFO_REC_CMDLINE_TRUNCATED	(1U << 2) /* cmdline cut at CMDLINE_MAX */
#define PROCINFO_REC_NO_MM		(1U << 3) /* no address space: kernel
						   * thread, zombie or exiting;
						   * vsz, rss, cmdline are 0/empty
						   */
/*
 * The address space stayed locked (by a writer, or a task stuck holding it)
 * for too long to read the command line without waiting on the process;
 * cmdline is empty. Other fields are valid.
 */
#define PROCINFO_REC_CMDLINE_UNAVAILABLE (1U << 4)
/*
 * The cgroup path was longer than PROCINFO_CGROUP_MAX: it is cut back to
 * the last '/' that fits (no partial name), and the identity comes from
 * the part kept.
 */
#define PROCINFO_REC_CGROUP_CUT		(1U << 5)
/* The container name was longer than PROCINFO_CONTAINER_ID_MAX: cut */
#define PROCINFO_REC_CONTAINER_ID_CUT	(1U << 6)
#define PROCINFO_REC_ALL_FLAGS		(PROCINFO_REC_KTHREAD |		\
					 PROCINFO_REC_CONTAINER |	\
					 PROCINFO_REC_CMDLINE_TRUNCATED |	\
					 PROCINFO_REC_NO_MM |		\
					 PROCINFO_REC_CMDLINE_UNAVAILABLE |	\
					 PROCINFO_REC_CGROUP_CUT |	\
					 PROCINFO_REC_CONTAINER_ID_CUT)

/* procinfo_record.reasons: why a process is a container process */
#define PROCINFO_REASON_KEYWORD	(1U << 0) /* its command line contains
					   * docker, container, runc or
					   * busybox (the original rule)
					   */
#define PROCINFO_REASON_CGROUP	(1U << 1) /* its cgroup path follows a
					   * container runtime's naming
					   */
#define PROCINFO_REASON_PIDNS	(1U << 2) /* it lives in a pid namespace
					   * below the reader's
					   */
#define PROCINFO_REASON_ALL	(PROCINFO_REASON_KEYWORD | \
				 PROCINFO_REASON_CGROUP | PROCINFO_REASON_PIDNS)

/*
 * procinfo_record.runtime: whose naming the cgroup path follows. Spelled
 * exactly as in the driver's container_match.h, which includes the same
 * values for the matcher shared with libprocinfo.
 */
#define PROCINFO_RUNTIME_NONE		0 /* no container path matched */
#define PROCINFO_RUNTIME_DOCKER		1 /* "docker" */
#define PROCINFO_RUNTIME_CONTAINERD	2 /* "containerd" (CRI plugin) */
#define PROCINFO_RUNTIME_CRIO		3 /* "crio" (CRI-O) */
#define PROCINFO_RUNTIME_PODMAN		4 /* "podman" */
#define PROCINFO_RUNTIME_LXC		5 /* "lxc" (LXC, LXD, Incus) */
#define PROCINFO_RUNTIME_NSPAWN		6 /* "nspawn" (systemd-nspawn) */

/* Longest cgroup path kept, bytes */
#define PROCINFO_CGROUP_MAX		1024

/**
 * struct procinfo_record - one process (thread-group leader)
 * @pid:		tgid in the reader's pid namespace
 * @ppid:		parent's tgid in the reader's pid namespace, 0 if the
 *			parent is not visible there (as getppid())
 * @uid:		real uid in the reader's user namespace (overflowuid
 *			if unmapped), as /proc/<pid>/status Uid[0]
 * @gid:		real gid, likewise
 * @nr_threads:		live threads in the group
 * @flags:		PROCINFO_REC_*
 * @state:		ASCII letter of /proc/<pid>/stat field 3 (R S D T t X Z P I)
 * @pad0:		zero
 * @comm:		process name, NUL-padded, at most 15 bytes + NUL, raw
 *			bytes as /proc/<pid>/comm (kernel threads: the raw comm)
 * @vsz_kb:		virtual size, KiB (statm size * page KiB); 0 without mm
 * @rss_kb:		resident set, KiB (statm resident * page KiB); 0 without mm
 * @mem_pct_x100:	floor(rss_kb * 10000 / mem_total_kb): "%u.%02u" of
 *			x100 / 100, x100 % 100 gives the JSON mem_pct
 * @pad1:		zero
 * @utime_ns:		user CPU time of the whole thread group, ns, adjusted as
 *			/proc/<pid>/stat does (field 14 before tick conversion)
 * @stime_ns:		system CPU time of the whole thread group, ns (field 15)
 * @cpu_ticks:		utime and stime each converted to USER_HZ ticks, then
 *			added: stat fields 14 + 15, the JSON proc_jiffies
 * @start_time_ns:	start time after boot (CLOCK_BOOTTIME of the reader's
 *			time namespace), ns; stat field 22 is this in ticks
 * @cmdline_offset:	offset of the command line in the string area
 * @cmdline_len:	bytes of command line, at most PROCINFO_CMDLINE_MAX
 * @cgroup_offset:	offset of the cgroup v2 path in the string area (2.1)
 * @cgroup_len:		its length, at most PROCINFO_CGROUP_MAX; the path as
 *			/proc/<pid>/cgroup shows it to the reader ("0::" line,
 *			relative to the reader's cgroup namespace)
 * @container_id_offset: offset of the container id (64 hex digits) or name
 *			in the string area (2.1)
 * @pod_uid_offset:	offset of the Kubernetes pod uid (with dashes) (2.1)
 * @container_id_len:	its length, 0 when the path names no container
 * @pod_uid_len:	its length, 0 outside a pod
 * @runtime:		PROCINFO_RUNTIME_* (2.1)
 * @reasons:		PROCINFO_REASON_* (2.1)
 * @pad2:		zero
 * @reserved:		zero
 *
 * The command line is stored raw: the first cmdline_len bytes of
 * /proc/<pid>/cmdline (arguments separated by NUL) with trailing NUL bytes
 * removed; not NUL-terminated. Replacing each NUL by a space gives the JSON
 * cmdline (before JSON escaping). Empty for kernel threads and zombies.
 *
 * The fields marked 2.1 are filled by drivers with PROCINFO_FEAT_CONTAINER_ID
 * (zero from older ones, where they were reserved). Strings in the string
 * area may be shared by several records.
 */
struct procinfo_record {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 nr_threads;
	__u32 flags;
	__u8 state;
	__u8 pad0[7];
	__u8 comm[PROCINFO_COMM_LEN];
	__u64 vsz_kb;
	__u64 rss_kb;
	__u32 mem_pct_x100;
	__u32 pad1;
	__u64 utime_ns;
	__u64 stime_ns;
	__u64 cpu_ticks;
	__u64 start_time_ns;
	__u32 cmdline_offset;
	__u32 cmdline_len;
	__u32 cgroup_offset;
	__u32 cgroup_len;
	__u32 container_id_offset;
	__u32 pod_uid_offset;
	__u8 container_id_len;
	__u8 pod_uid_len;
	__u8 runtime;
	__u8 reasons;
	__u32 pad2;
	__u64 reserved[1];
};

#define PROCINFO_RECORD_SIZE_VER0	144 /* sizeof in ABI 1.0 */

/*
 * The ioctl code: 0xD7, numbers 0x01-0x1F, free in mainline's
 * Documentation/userspace-api/ioctl/ioctl-number.rst (as of late 2025,
 * where 0xB2, 0xB8, 0xBA and 0xF7-0xF9 are recent additions).
 */
#define PROCINFO_IOC_MAGIC	0xD7

/*
 * PROCINFO_IOC_VERSION - fill struct procinfo_version. Never fails on a
 * valid pointer (EFAULT otherwise).
 */
#define PROCINFO_IOC_VERSION	_IOR(PROCINFO_IOC_MAGIC, 0x01, struct procinfo_version)

/*
 * PROCINFO_IOC_SNAPSHOT - take a snapshot of every process the caller may
 * see (or only container processes) and copy it to buf.
 *
 * The processes are those of the caller's pid namespace that the procfs
 * mounted on the caller's /proc shows it: with hidepid=, only those it may
 * ptrace (or all, for members of the mount's gid=); without a procfs on
 * /proc, only its own uid's (all with CAP_SYS_PTRACE). The sysinfo.privacy
 * module parameter adds the own-uid rule for every caller without
 * CAP_SYS_PTRACE.
 *
 * The number encodes the ABI 1.0 struct size and stays the same when the
 * struct grows: @size says how large the caller's struct really is.
 *
 * Returns 0 and fills the output fields, or -1 with errno:
 *   EFAULT	the request or the buffer is not accessible
 *   EINVAL	size < PROCINFO_SNAPSHOT_REQ_SIZE_VER0, an unknown flag, a
 *		non-zero reserved field, or buf == 0 with buf_len != 0
 *   E2BIG	size larger than the page size, or larger than the driver
 *		knows with non-zero extra bytes
 *   ENOSPC	buf_len < needed; needed and the other output fields are
 *		written back (nr_records 0), nothing is written to buf, and
 *		the snapshot stays pending for PROCINFO_SNAP_RETRY
 *   ENOMEM	out of kernel memory, or the snapshot would pass the
 *		caller's memory cgroup limit or the per-user limit of
 *		memory held through open files (sysinfo.max_user_mb)
 *   EINTR	a fatal signal arrived during the call
 */
#define PROCINFO_IOC_SNAPSHOT	_IOC(_IOC_READ | _IOC_WRITE, PROCINFO_IOC_MAGIC, 0x02, \
				     PROCINFO_SNAPSHOT_REQ_SIZE_VER0)

/* The 1.x version query (magic 0xB8), answered only by drivers before 2.0 */
#define PROCINFO_IOC_VERSION_V1	_IOR(0xB8, 0x01, struct procinfo_version)

#endif /* _UAPI_LINUX_PROCINFO_H */
