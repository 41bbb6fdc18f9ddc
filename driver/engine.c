// SPDX-License-Identifier: GPL-2.0
/*
 * procinfo engine: walks the processes of a pid namespace and turns each
 * into a struct procinfo_record, with the values /proc/<pid>/{stat,statm,
 * cmdline} would show for it at that moment.
 *
 * The walk has two phases so that nothing sleeps under RCU:
 *  1. under rcu_read_lock(), in batches, find the thread-group ids by
 *     ascending pid (as /proc's readdir does) and pin each struct pid;
 *  2. without locks, resolve each pid to its thread-group leader at that
 *     moment, as /proc does on every access (after a non-leader thread
 *     execs, the tgid belongs to the new leader; after a reap, to nobody),
 *     read the process and drop the references. Each step reschedules and
 *     stops on a fatal signal.
 *
 * Another process's memory (its command line) is read only through the mm
 * taken once with get_task_mm(), as /proc/<pid>/cmdline does, so a process
 * that execs meanwhile is read in the old address space, never at the old
 * addresses in the new one. Its mmap_lock is only tried: a process whose
 * lock stays taken (a task stuck in D state holding it, a writer queued
 * behind a slow fault) gets PROCINFO_REC_CMDLINE_UNAVAILABLE instead of
 * stalling every reader.
 *
 * Container identity: each process's cgroup v2 path as the reader's cgroup
 * namespace shows it, classified by the matcher libprocinfo shares
 * (container_match.c), next to the original command-line keywords and the
 * pid namespace the process lives in.
 *
 * Who sees what: a reader sees a process only where its own /proc would.
 * Under a /proc mounted with hidepid= (or systemd's ProtectProc=), each
 * process is looked up in that mount with the reader's credentials, so
 * the mount's own rules decide. See procinfo_snapshot_take().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mount.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "container_match.h"
#include "procinfo_engine.h"

/* Pids pinned per RCU read-side section: bounds the time RCU is held. */
#define PIN_BATCH 256

/*
 * How long the walk waits for a process's mmap_lock before it gives up on
 * that command line: per process, and in all for one snapshot.
 */
#define MMAP_LOCK_RETRY_US	250
#define MMAP_LOCK_WAIT_US	(10 * USEC_PER_MSEC)
#define MMAP_LOCK_BUDGET_US	(100 * USEC_PER_MSEC)

/*
 * Per-part cost of a snapshot, for profiling builds only (make
 * PROCINFO_PROFILE=1): each part's total time and the process count are
 * logged after every snapshot. Off, the marks compile to nothing.
 */
enum profile_part {
	PROF_PIN,	/* pin_pids(): the RCU walk pinning every struct pid */
	PROF_TASK,	/* pid to leader task, visibility, leader recheck */
	PROF_MM,	/* get_task_mm(), mmap_lock, vsz/rss, mmput() */
	PROF_CMDLINE,	/* read_cmdline() and the keyword rule */
	PROF_CGROUP,	/* cgroup path, runtime match, its strings */
	PROF_IDS,	/* ppid, uid, gid translation */
	PROF_CPUTIME,	/* CPU time summed over the threads */
	PROF_FILL,	/* comm, state, start time, cmdline string, the rest */
	PROF_NR,
};

/* Words in a command line that make a process a container process. */
static const char * const container_keywords[] = {
	"docker", "container", "runc", "busybox",
};

static bool privacy;
module_param(privacy, bool, 0644);
MODULE_PARM_DESC(privacy,
		 "Readers without CAP_SYS_PTRACE see only their own uid's processes (default: off, as stock /proc)");

struct pinned_pid {
	struct pid *pid;
	pid_t nr;
};

/*
 * What a cgroup's path says of its processes, as filled into their records.
 * Processes of one cgroup are many (a service, a container), and the path
 * lookup and its classification are a good part of a record's cost.
 */
struct cgroup_identity {
	u64 id;			/* cgroup_id(); 0: an empty slot */
	u32 cgroup_offset;
	u32 cgroup_len;
	u32 container_id_offset;
	u32 container_id_len;
	u32 pod_uid_offset;
	u32 pod_uid_len;
	u32 flags;		/* PROCINFO_REC_CGROUP_CUT, _CONTAINER_ID_CUT */
	u8 runtime;
	u8 reasons;		/* PROCINFO_REASON_CGROUP or 0 */
};

#define CGROUP_CACHE_BITS	6
#define CGROUP_CACHE_SIZE	BIT(CGROUP_CACHE_BITS)

/* A string in the snapshot's string area; len 0: a free slot. */
struct stored_string {
	u32 offset;
	u32 len;
};

struct snapshot_builder {
	struct procinfo_snapshot *snap;
	/* /proc mount whose hidepid= rules apply, NULL when none do */
	const struct path *hidepid_root;
	char *scratch;			/* PROCINFO_CMDLINE_MAX bytes */
	char *cgroup_path;		/* PROCINFO_CGROUP_MAX + 1 bytes */
	/* the reader's cgroup namespace root on the default hierarchy */
	struct cgroup *cgroup_root;
	struct cgroup_identity *cgroup_cache;	/* CGROUP_CACHE_SIZE entries */
	/* open-addressed set of the strings stored so far */
	struct stored_string *dedup;
	size_t dedup_size;		/* power of two */
	unsigned int lock_budget_us;
#ifdef PROCINFO_PROFILE
	u64 prof[PROF_NR];
	u64 prof_marks[PROF_NR];
	u64 prof_t;
#endif
};

#ifdef PROCINFO_PROFILE
static const char * const profile_names[PROF_NR] = {
	"pin", "task", "mm", "cmdline", "cgroup", "ids", "cputime", "fill",
};

static void prof_start(struct snapshot_builder *b)
{
	b->prof_t = ktime_get_ns();
}

/* The time since the last mark was spent on @part. */
static void prof_mark(struct snapshot_builder *b, enum profile_part part)
{
	u64 now = ktime_get_ns();

	b->prof[part] += now - b->prof_t;
	b->prof_marks[part]++;
	b->prof_t = now;
}
#else
static inline void prof_start(struct snapshot_builder *b) { }
static inline void prof_mark(struct snapshot_builder *b,
			     enum profile_part part) { }
#endif

/* Grows a counted array to at least @want elements (x1.5 steps). */
static int grow(struct procinfo_charge *charge, void **array, size_t *cap,
		size_t want, size_t size)
{
	size_t new_cap;
	void *bigger;

	if (want <= *cap)
		return 0;
	new_cap = max3(*cap + *cap / 2, want, (size_t)64);
	bigger = procinfo_alloc(charge, new_cap, size);
	if (!bigger)
		return -ENOMEM;
	if (*cap)
		memcpy(bigger, *array, *cap * size);
	procinfo_free(charge, *array, *cap, size);
	*array = bigger;
	*cap = new_cap;
	return 0;
}

/*
 * Gives back the unused tail of an array when it is more than 1/8 of it,
 * so a snapshot holds little more than it hands out. Keeps the array as it
 * is when memory is short.
 */
static void shrink(struct procinfo_charge *charge, void **array, size_t *cap,
		   size_t used, size_t size)
{
	void *exact;

	if (!used) {
		procinfo_free(charge, *array, *cap, size);
		*array = NULL;
		*cap = 0;
		return;
	}
	if (*cap - used <= *cap / 8)
		return;
	exact = procinfo_alloc(charge, used, size);
	if (!exact)
		return;
	memcpy(exact, *array, used * size);
	procinfo_free(charge, *array, *cap, size);
	*array = exact;
	*cap = used;
}

static void unpin_pids(struct pinned_pid *pinned, size_t from, size_t to)
{
	for (; from < to; from++)
		put_pid(pinned[from].pid);
}

/*
 * Pins the struct pid of every thread group visible in @ns, in ascending
 * pid order: the walk of /proc's next_tgid(), resumed after each batch.
 */
static int pin_pids(struct procinfo_charge *charge, struct pid_namespace *ns,
		    struct pinned_pid **out, size_t *out_nr, size_t *out_cap)
{
	struct pinned_pid *pinned = NULL;
	size_t cap = 0, nr = 0;
	pid_t next = 1;
	bool done = false;
	int err;

	while (!done) {
		int i;

		err = grow(charge, (void **)&pinned, &cap, nr + PIN_BATCH,
			   sizeof(*pinned));
		if (err)
			goto fail;

		rcu_read_lock();
		for (i = 0; i < PIN_BATCH; i++) {
			struct pid *pid = find_ge_pid(next, ns);

			if (!pid) {
				done = true;
				break;
			}
			next = pid_nr_ns(pid, ns) + 1;
			if (!pid_task(pid, PIDTYPE_TGID))
				continue;
			pinned[nr].pid = get_pid(pid);
			pinned[nr].nr = next - 1;
			nr++;
		}
		rcu_read_unlock();

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto fail;
		}
		cond_resched();
	}
	*out = pinned;
	*out_nr = nr;
	*out_cap = cap;
	return 0;

fail:
	unpin_pids(pinned, 0, nr);
	procinfo_free(charge, pinned, cap, sizeof(*pinned));
	return err;
}

/* As the kernel's nsec_to_clock_t(), which is not exported. */
static u64 ns_to_user_ticks(u64 ns)
{
#if (NSEC_PER_SEC % USER_HZ) == 0
	return div_u64(ns, NSEC_PER_SEC / USER_HZ);
#elif (USER_HZ % 512) == 0
	return div_u64(ns * USER_HZ / 512, NSEC_PER_SEC / 512);
#else
	return div_u64(ns * 9, (9ull * NSEC_PER_SEC + (USER_HZ / 2)) / USER_HZ);
#endif
}

/*
 * cputime_adjust() of kernel/sched/cputime.c as of Linux 6.1, computed on a
 * copy of the group's prev_cputime: the utime/stime (tick samples) scaled
 * to the precise sum_exec_runtime, never below what /proc/<pid>/stat last
 * reported. Unlike /proc, it does not store its result back: that state
 * belongs to the scheduler, and times(2) and getrusage(2) read it too.
 */
static void adjust_cputime(const struct task_cputime *curr,
			   struct prev_cputime *shared, u64 *ut, u64 *st)
{
#ifdef CONFIG_VIRT_CPU_ACCOUNTING_NATIVE
	*ut = curr->utime;
	*st = curr->stime;
#else
	u64 rtime, stime, utime, prev_utime, prev_stime;
	unsigned long flags;

	raw_spin_lock_irqsave(&shared->lock, flags);
	prev_utime = shared->utime;
	prev_stime = shared->stime;
	raw_spin_unlock_irqrestore(&shared->lock, flags);

	rtime = curr->sum_exec_runtime;
	if (prev_stime + prev_utime >= rtime) {
		*ut = prev_utime;
		*st = prev_stime;
		return;
	}

	stime = curr->stime;
	utime = curr->utime;
	if (stime == 0) {
		utime = rtime;
		goto update;
	}
	if (utime == 0) {
		stime = rtime;
		goto update;
	}
	stime = mul_u64_u64_div_u64(stime, rtime, stime + utime);
	/* mul_u64_u64_div_u64() may round up on some architectures */
	if (unlikely(stime > rtime))
		stime = rtime;
update:
	if (stime < prev_stime)
		stime = prev_stime;
	utime = rtime - stime;
	if (utime < prev_utime) {
		utime = prev_utime;
		stime = rtime - utime;
	}
	*ut = utime;
	*st = stime;
#endif
}

/*
 * CPU time of the whole thread group, as thread_group_cputime_adjusted()
 * (not exported) gives it to /proc/<pid>/stat. Live threads' pending
 * runtime is not flushed, as that function does not flush it either
 * (except for the caller's own group). With nohz_full vtime accounting
 * active, the running slice of a thread is not included.
 */
static void group_cputime(struct task_struct *task, u64 *ut, u64 *st)
{
	struct signal_struct *sig = task->signal;
	struct task_cputime times;
	unsigned int seq, nextseq;
	struct task_struct *t;
	unsigned long flags;

	rcu_read_lock();
	nextseq = 0;
	do {
		seq = nextseq;
		flags = read_seqbegin_or_lock_irqsave(&sig->stats_lock, &seq);
		times.utime = sig->utime;
		times.stime = sig->stime;
		times.sum_exec_runtime = sig->sum_sched_runtime;
		for_each_thread(task, t) {
			times.utime += READ_ONCE(t->utime);
			times.stime += READ_ONCE(t->stime);
			times.sum_exec_runtime +=
				READ_ONCE(t->se.sum_exec_runtime);
		}
		nextseq = 1;
	} while (need_seqretry(&sig->stats_lock, seq));
	done_seqretry_irqrestore(&sig->stats_lock, seq, flags);
	rcu_read_unlock();

	adjust_cputime(&times, &sig->prev_cputime, ut, st);
}

/*
 * Takes @mm's mmap_lock for reading without blocking on it: a few short
 * sleeps per process, within the snapshot's budget, then gives up.
 */
static bool mmap_read_lock_bounded(struct mm_struct *mm,
				   unsigned int *budget_us)
{
	unsigned int waited_us = 0;

	while (!mmap_read_trylock(mm)) {
		if (waited_us >= MMAP_LOCK_WAIT_US ||
		    *budget_us < MMAP_LOCK_RETRY_US ||
		    fatal_signal_pending(current))
			return false;
		usleep_range(MMAP_LOCK_RETRY_US, 2 * MMAP_LOCK_RETRY_US);
		waited_us += MMAP_LOCK_RETRY_US;
		*budget_us -= MMAP_LOCK_RETRY_US;
	}
	return true;
}

/*
 * Copies [@addr, @addr + @len) of @mm into @buf, page by page as
 * __access_remote_vm() does, up to the first page that cannot be read.
 * The caller holds @mm's mmap_lock for reading.
 */
static size_t read_remote(struct mm_struct *mm, unsigned long addr,
			  char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		unsigned long at = addr + done;
		size_t off = offset_in_page(at);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - off);
		struct page *page;
		void *kaddr;
		long got;

#ifdef PROCINFO_GUP_HAS_VMAS
		got = get_user_pages_remote(mm, at, 1, FOLL_ANON, &page, NULL,
					    NULL);
#else
		got = get_user_pages_remote(mm, at, 1, FOLL_ANON, &page, NULL);
#endif
		if (got != 1)
			break;
		kaddr = kmap_local_page(page);
		memcpy(buf + done, kaddr + off, n);
		kunmap_local(kaddr);
		put_page(page);
		done += n;
	}
	return done;
}

/*
 * Reads at most PROCINFO_CMDLINE_MAX bytes of the command line of @mm into
 * @buf, as fs/proc/base.c get_mm_cmdline() does, including its
 * setproctitle() rule. The caller holds @mm's mmap_lock for reading.
 * Returns the byte count with trailing NULs removed; sets
 * PROCINFO_REC_CMDLINE_TRUNCATED in @flags.
 */
static size_t read_cmdline(struct mm_struct *mm, char *buf, u32 *flags)
{
	unsigned long arg_start, arg_end, env_start, env_end, argv_len;
	size_t want, got;
	char last;

	if (!mm->env_end)	/* exec has not set up the stack yet */
		return 0;

	spin_lock(&mm->arg_lock);
	arg_start = mm->arg_start;
	arg_end = mm->arg_end;
	env_start = mm->env_start;
	env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);

	if (arg_start >= arg_end)
		return 0;
	/* setproctitle() may run past argv, but only into the environment */
	if (env_start != arg_end || env_end < env_start)
		env_end = arg_end;

	argv_len = arg_end - arg_start;
	want = min_t(unsigned long, argv_len, PROCINFO_CMDLINE_MAX);
	got = read_remote(mm, arg_start, buf, want);
	if (want == argv_len && got == want)
		last = buf[want - 1];
	else if (read_remote(mm, arg_end - 1, &last, 1) != 1)
		last = 0;

	if (last) {
		/*
		 * setproctitle() overwrote the NUL that ends argv: /proc then
		 * shows up to one page from arg_start, to its first NUL.
		 */
		got = read_remote(mm, arg_start, buf,
				  min_t(size_t, PAGE_SIZE,
					PROCINFO_CMDLINE_MAX));
		got = min_t(size_t, strnlen(buf, got), env_end - arg_start);
	} else if (argv_len > want && got == want) {
		*flags |= PROCINFO_REC_CMDLINE_TRUNCATED;
	}

	while (got && !buf[got - 1])
		got--;
	return got;
}

/* Nonzero when a byte of @word is @c (may also flag bytes above one that is). */
static u64 word_has_byte(u64 word, u8 c)
{
	const u64 ones = 0x0101010101010101ULL;
	u64 x = word ^ (ones * c);

	return (x - ones) & ~x & (ones << 7);
}

/*
 * Whether @cmdline holds one of container_keywords. One pass, eight bytes
 * at a time: only where a word holds the first letter of a keyword are
 * bytes compared (the command line of every process goes through here).
 */
static bool is_container_cmdline(const char *cmdline, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if (len - i >= sizeof(u64)) {
			u64 word, hits = 0;

			memcpy(&word, cmdline + i, sizeof(word));
			for (k = 0; k < ARRAY_SIZE(container_keywords); k++)
				hits |= word_has_byte(word, container_keywords[k][0]);
			if (!hits) {
				i += sizeof(word);
				continue;
			}
		}
		for (k = 0; k < ARRAY_SIZE(container_keywords); k++) {
			const char *kw = container_keywords[k];
			size_t n = strlen(kw);

			if (cmdline[i] == kw[0] && len - i >= n &&
			    !memcmp(cmdline + i, kw, n))
				return true;
		}
		i++;
	}
	return false;
}

/*
 * Puts @len bytes (not 0) in the string area and returns their offset.
 * Equal strings are stored once: processes with the same command line
 * (CLONE_VM children sharing one argv, the workers of a server), the
 * processes of one cgroup or container.
 */
static int store_string(struct snapshot_builder *b, const char *data,
			size_t len, u32 *offset)
{
	struct procinfo_snapshot *snap = b->snap;
	size_t mask = b->dedup_size - 1;
	size_t i;
	int err;

	for (i = jhash(data, len, 0) & mask; b->dedup[i].len;
	     i = (i + 1) & mask) {
		const struct stored_string *seen = &b->dedup[i];

		if (seen->len == len &&
		    !memcmp(snap->strings + seen->offset, data, len)) {
			*offset = seen->offset;
			return 0;
		}
	}

	err = grow(&snap->charge, (void **)&snap->strings, &snap->strings_cap,
		   snap->strings_len + len, 1);
	if (err)
		return err;
	memcpy(snap->strings + snap->strings_len, data, len);
	*offset = snap->strings_len;
	snap->strings_len += len;
	b->dedup[i].offset = *offset;
	b->dedup[i].len = len;
	return 0;
}

/*
 * The cgroup v2 path of @cgrp as the reader's cgroup namespace shows it
 * (/proc/<pid>/cgroup's "0::" line), in b->cgroup_path; its length. A path
 * longer than PROCINFO_CGROUP_MAX is cut back to its last '/' that fits,
 * so no partial name is ever kept, and flagged. Called under RCU.
 */
static size_t read_cgroup_path(struct snapshot_builder *b,
			       struct cgroup *cgrp, u32 *flags)
{
	char *slash;
	int len;

	/* kernfs_path_from_node() only takes a spinlock: fine under RCU */
	len = kernfs_path_from_node(cgrp->kn, b->cgroup_root->kn,
				    b->cgroup_path, PROCINFO_CGROUP_MAX + 1);
	if (len <= 0)
		return 0;
	if (len <= PROCINFO_CGROUP_MAX)
		return len;
	*flags |= PROCINFO_REC_CGROUP_CUT;
	slash = strrchr(b->cgroup_path, '/');
	return slash ? slash - b->cgroup_path : 0;
}

/*
 * Stores the cgroup path in b->cgroup_path (@len bytes) and what it says
 * of a container in @ci.
 */
static int classify_cgroup(struct snapshot_builder *b, size_t len,
			   struct cgroup_identity *ci)
{
	struct procinfo_container_match match;
	size_t n;
	int err;

	if (!len)
		return 0;
	err = store_string(b, b->cgroup_path, len, &ci->cgroup_offset);
	if (err)
		return err;
	ci->cgroup_len = len;
	if (!procinfo_match_cgroup(b->cgroup_path, len, &match))
		return 0;
	ci->reasons = PROCINFO_REASON_CGROUP;
	ci->runtime = match.runtime;
	if (match.flags & PROCINFO_MATCH_ID_CUT)
		ci->flags |= PROCINFO_REC_CONTAINER_ID_CUT;
	n = strlen(match.id);
	if (n) {
		err = store_string(b, match.id, n, &ci->container_id_offset);
		if (err)
			return err;
		ci->container_id_len = n;
	}
	n = strlen(match.pod_uid);
	if (n) {
		err = store_string(b, match.pod_uid, n, &ci->pod_uid_offset);
		if (err)
			return err;
		ci->pod_uid_len = n;
	}
	return 0;
}

/*
 * The identity of @task's cgroup: from the cache when a process of the same
 * cgroup came before, else read and classified once. Keyed by cgroup id,
 * never reused while the system runs, so nothing is pinned; a cgroup v2
 * directory cannot be renamed, so its path holds for the whole walk.
 */
static int cgroup_identity(struct snapshot_builder *b,
			   struct task_struct *task,
			   const struct cgroup_identity **out)
{
	struct cgroup_identity *ci;
	struct cgroup *cgrp;
	size_t len;
	u64 id;
	int err;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(task);
	id = cgroup_id(cgrp);
	ci = &b->cgroup_cache[hash_64(id, CGROUP_CACHE_BITS)];
	if (ci->id == id) {
		rcu_read_unlock();
		*out = ci;
		return 0;
	}
	memset(ci, 0, sizeof(*ci));
	len = read_cgroup_path(b, cgrp, &ci->flags);
	rcu_read_unlock();

	err = classify_cgroup(b, len, ci);
	if (err)
		return err;
	ci->id = id;
	*out = ci;
	return 0;
}

/* Fills the container identity of @rec: reasons, cgroup path, runtime. */
static int add_identity(struct snapshot_builder *b, struct task_struct *task,
			struct procinfo_record *rec, bool keyword)
{
	const struct cgroup_identity *ci;
	struct pid_namespace *ns;
	int err;

	if (keyword)
		rec->reasons |= PROCINFO_REASON_KEYWORD;
	rcu_read_lock();
	ns = pid_alive(task) ? task_active_pid_ns(task) : NULL;
	if (ns && ns != b->snap->pid_ns)
		rec->reasons |= PROCINFO_REASON_PIDNS;
	rcu_read_unlock();

	err = cgroup_identity(b, task, &ci);
	if (err)
		return err;
	rec->flags |= ci->flags;
	rec->reasons |= ci->reasons;
	rec->runtime = ci->runtime;
	rec->cgroup_offset = ci->cgroup_offset;
	rec->cgroup_len = ci->cgroup_len;
	rec->container_id_offset = ci->container_id_offset;
	rec->container_id_len = ci->container_id_len;
	rec->pod_uid_offset = ci->pod_uid_offset;
	rec->pod_uid_len = ci->pod_uid_len;
	return 0;
}

/* Fills one record from a task held by reference; may sleep. */
static int add_task(struct snapshot_builder *b, struct task_struct *task,
		    pid_t nr)
{
	struct procinfo_snapshot *snap = b->snap;
	struct procinfo_record *rec;
	const struct cred *cred;
	struct mm_struct *mm;
	size_t cmdline_len = 0;
	u64 vsz_kb = 0, rss_kb = 0;
	bool keyword = false;
	u32 flags = 0;
	u64 ut, st;
	int err;

	if (snap->nr_records >= snap->records_cap)
		return 0;	/* cannot happen: one record per pinned pid */

	if (task->flags & PF_KTHREAD)
		flags |= PROCINFO_REC_KTHREAD;

	prof_mark(b, PROF_TASK);
	mm = get_task_mm(task);
	if (mm) {
		/*
		 * Sizes under the mmap_lock too: exec's mprotect_fixup()
		 * takes the stack out of total_vm and puts it back under
		 * the write lock, so an unlocked read can see 0.
		 */
		if (mmap_read_lock_bounded(mm, &b->lock_budget_us)) {
			prof_mark(b, PROF_MM);
			if (!snap->no_cmdline)
				cmdline_len = read_cmdline(mm, b->scratch,
							   &flags);
			prof_mark(b, PROF_CMDLINE);
			vsz_kb = (u64)mm->total_vm << (PAGE_SHIFT - 10);
			rss_kb = (u64)get_mm_rss(mm) << (PAGE_SHIFT - 10);
			mmap_read_unlock(mm);
		} else {
			flags |= PROCINFO_REC_CMDLINE_UNAVAILABLE;
			vsz_kb = (u64)READ_ONCE(mm->total_vm) << (PAGE_SHIFT - 10);
			rss_kb = (u64)get_mm_rss(mm) << (PAGE_SHIFT - 10);
		}
		mmput(mm);
		prof_mark(b, PROF_MM);
		keyword = is_container_cmdline(b->scratch, cmdline_len);
		prof_mark(b, PROF_CMDLINE);
	} else {
		flags |= PROCINFO_REC_NO_MM;
	}

	rec = &snap->records[snap->nr_records];
	memset(rec, 0, sizeof(*rec));
	rec->pid = nr;
	rec->flags = flags;
	err = add_identity(b, task, rec, keyword);
	if (err)
		return err;
	if (rec->reasons)
		rec->flags |= PROCINFO_REC_CONTAINER;
	prof_mark(b, PROF_CGROUP);
	if (snap->select && !(rec->reasons & snap->select))
		return 0;	/* not listed: the record slot is reused */

	rec->vsz_kb = vsz_kb;
	rec->rss_kb = rss_kb;
	if (cmdline_len) {
		err = store_string(b, b->scratch, cmdline_len,
				   &rec->cmdline_offset);
		if (err)
			return err;
		rec->cmdline_len = cmdline_len;
	}

	prof_mark(b, PROF_FILL);
	rcu_read_lock();
	if (pid_alive(task))
		rec->ppid = task_tgid_nr_ns(rcu_dereference(task->real_parent),
					    snap->pid_ns);
	cred = __task_cred(task);
	rec->uid = from_kuid_munged(snap->user_ns, cred->uid);
	rec->gid = from_kgid_munged(snap->user_ns, cred->gid);
	rcu_read_unlock();
	prof_mark(b, PROF_IDS);

	rec->nr_threads = get_nr_threads(task);
	rec->state = task_index_to_char(task_state_index(task));
	__get_task_comm((char *)rec->comm, sizeof(rec->comm), task);
	/* as /proc/<pid>/stat field 22: in the reader's time namespace */
	rec->start_time_ns = timens_add_boottime_ns(task->start_boottime);

	prof_mark(b, PROF_FILL);
	group_cputime(task, &ut, &st);
	prof_mark(b, PROF_CPUTIME);
	rec->utime_ns = ut;
	rec->stime_ns = st;
	rec->cpu_ticks = ns_to_user_ticks(ut) + ns_to_user_ticks(st);
	rec->mem_pct_x100 = div64_u64(rec->rss_kb * 10000, snap->mem_total_kb);

	snap->nr_records++;
	prof_mark(b, PROF_FILL);
	return 0;
}

/*
 * Whether @pid is visible in the /proc mounted at @root to the current
 * task: its directory is found and may be searched, so the mount's
 * hidepid= and gid= rules (and the LSM's ptrace rules behind them) decide,
 * exactly as for an ls of that /proc.
 */
static bool visible_in_proc(const struct path *root, struct pid *pid)
{
	pid_t nr = pid_nr_ns(pid, proc_pid_ns(root->mnt->mnt_sb));
	struct dentry *dir;
	char name[16];
	bool visible;
	int len;

	if (!nr)
		return false;
	len = snprintf(name, sizeof(name), "%d", nr);
	dir = lookup_one_len_unlocked(name, root->dentry, len);
	if (IS_ERR(dir))
		return false;
#ifdef PROCINFO_HAVE_MNT_IDMAP
	visible = d_really_is_positive(dir) &&
		  !inode_permission(mnt_idmap(root->mnt), d_inode(dir),
				    MAY_EXEC);
#else
	visible = d_really_is_positive(dir) &&
		  !inode_permission(mnt_user_ns(root->mnt), d_inode(dir),
				    MAY_EXEC);
#endif
	dput(dir);
	return visible;
}

/* Whether @task still leads the thread group of @pid. */
static bool still_leader(struct pid *pid, struct task_struct *task)
{
	bool same;

	rcu_read_lock();
	same = pid_task(pid, PIDTYPE_TGID) == task;
	rcu_read_unlock();
	return same;
}

static int add_process(struct snapshot_builder *b, struct pid *pid,
		       pid_t nr)
{
	struct procinfo_snapshot *snap = b->snap;
	struct task_struct *task;
	int tries, err = 0;

	for (tries = 0; tries < 3; tries++) {
		u32 before = snap->nr_records;

		/* The leader now, not the one de_thread() may have left */
		task = get_pid_task(pid, PIDTYPE_TGID);
		if (!task)
			return 0;	/* reaped since it was pinned */
		if ((snap->restricted && !uid_eq(task_uid(task), snap->uid)) ||
		    (b->hidepid_root && !visible_in_proc(b->hidepid_root, pid))) {
			put_task_struct(task);
			return 0;
		}
		err = add_task(b, task, nr);
		if (err || still_leader(pid, task)) {
			put_task_struct(task);
			return err;
		}
		/* A thread exec'ed meanwhile: read its new leader instead. */
		snap->nr_records = before;
		put_task_struct(task);
	}
	return 0;
}

void procinfo_snapshot_free(struct procinfo_snapshot *snap)
{
	if (!snap)
		return;
	procinfo_free(&snap->charge, snap->records, snap->records_cap,
		      sizeof(*snap->records));
	procinfo_free(&snap->charge, snap->strings, snap->strings_cap, 1);
	procinfo_charge_release(&snap->charge);
	if (snap->pid_ns)
		put_pid_ns(snap->pid_ns);
	if (snap->user_ns)
		put_user_ns(snap->user_ns);
	put_pid(snap->owner);
	if (snap->cred)
		put_cred(snap->cred);
	kfree(snap);
}

/**
 * procinfo_snapshot_fits_reader - may the current task be given @snap?
 * @snap:	a snapshot taken earlier, possibly by another task
 *
 * True when the current task belongs to the thread group that took it,
 * with the same credentials and pid namespace: a file descriptor passed to
 * another process, or kept across a change of credentials, never hands
 * out a view its holder could not have taken itself.
 */
bool procinfo_snapshot_fits_reader(const struct procinfo_snapshot *snap)
{
	return snap->owner == task_tgid(current) &&
	       snap->cred == current_cred() &&
	       snap->pid_ns == task_active_pid_ns(current);
}

/* Whether the reader must be limited to the processes of its own uid. */
static bool reader_restricted(struct pid_namespace *pid_ns, bool have_proc)
{
	if (!READ_ONCE(privacy) && have_proc)
		return false;
	return !ns_capable_noaudit(pid_ns->user_ns, CAP_SYS_PTRACE);
}

static int walk(struct snapshot_builder *b, struct pinned_pid *pinned,
		size_t nr)
{
	size_t i;
	int err = 0;

	prof_start(b);
	for (i = 0; i < nr; i++) {
		err = add_process(b, pinned[i].pid, pinned[i].nr);
		put_pid(pinned[i].pid);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		if (err) {
			unpin_pids(pinned, i + 1, nr);
			break;
		}
		cond_resched();
	}
	prof_mark(b, PROF_TASK);
	return err;
}

#ifdef PROCINFO_PROFILE
/*
 * Logs each part's time per process, less what its marks cost: a clock
 * read is itself microseconds under emulation, measured here.
 */
static void profile_log(const struct snapshot_builder *b, size_t nr)
{
	u64 t0, mark_ns, ns;
	char line[256];
	int len = 0, i;

	t0 = ktime_get_ns();
	for (i = 0; i < 1000; i++)
		ns = ktime_get_ns();
	mark_ns = div_u64(ns - t0, 1000);
	for (i = 0; i < PROF_NR; i++) {
		ns = b->prof[i] - min(b->prof[i], b->prof_marks[i] * mark_ns);
		len += scnprintf(line + len, sizeof(line) - len, " %s=%llu",
				 profile_names[i], div_u64(ns, max_t(size_t, nr, 1)));
	}
	pr_info("profile: processes=%zu records=%u clock=%llu ns per process:%s\n",
		nr, b->snap->nr_records, mark_ns, line);
}
#else
static void profile_log(const struct snapshot_builder *b, size_t nr) { }
#endif

/**
 * procinfo_snapshot_take - read every process the reader may see
 * @pid_ns:	namespace whose pids are reported
 * @proc_root:	root of the /proc mount the reader goes through (the one
 *		holding the JSON file, or the reader's /proc for the
 *		device); NULL when it has none
 * @select:	PROCINFO_REASON_* of which a process needs one to be
 *		listed (container processes by those rules); 0: all
 * @no_cmdline:	leave command lines out, unread (PROCINFO_SNAP_NO_CMDLINE)
 *
 * Runs in the reader's context and with its credentials: uids and gids are
 * mapped into its user namespace, times into its time namespace, cgroup
 * paths into its cgroup namespace, memory is charged to it. A process is
 * listed when the /proc at @proc_root shows it to the reader (its hidepid=
 * rules); without a /proc, and in privacy mode, a reader lacking
 * CAP_SYS_PTRACE over @pid_ns sees only its own uid's processes.
 *
 * May sleep. Returns the snapshot (free with procinfo_snapshot_free()) or
 * an ERR_PTR: -ENOMEM (memory, the reader's cgroup limit or its per-user
 * limit), or -EINTR when a fatal signal interrupts the walk.
 */
struct procinfo_snapshot *procinfo_snapshot_take(struct pid_namespace *pid_ns,
						 const struct path *proc_root,
						 u32 select, bool no_cmdline)
{
	struct snapshot_builder b = {
		.lock_budget_us = MMAP_LOCK_BUDGET_US,
	};
	struct procinfo_snapshot *snap;
	struct pinned_pid *pinned;
	size_t nr, pinned_cap;
	struct sysinfo si;
	int err;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	if (!snap)
		return ERR_PTR(-ENOMEM);
	err = procinfo_charge_init(&snap->charge);
	if (!err) {
		/* the snapshot itself: uncounted when it goes, with the charge */
		err = procinfo_charge_add(&snap->charge,
					  kmalloc_size_roundup(sizeof(*snap)));
		if (err)
			procinfo_charge_release(&snap->charge);
	}
	if (err) {
		kfree(snap);
		return ERR_PTR(err);
	}
	b.snap = snap;
	snap->select = select;
	snap->no_cmdline = no_cmdline;
	snap->pid_ns = get_pid_ns(pid_ns);
	snap->user_ns = get_user_ns(current_user_ns());
	snap->owner = get_pid(task_tgid(current));
	snap->cred = get_current_cred();
	snap->restricted = reader_restricted(pid_ns, proc_root);
	snap->uid = current_uid();
	if (proc_root &&
	    proc_sb_info(proc_root->mnt->mnt_sb)->hide_pid != HIDEPID_OFF)
		b.hidepid_root = proc_root;
	snap->timestamp_ns = timens_add_boottime_ns(ktime_get_boottime_ns());
	si_meminfo(&si);
	snap->mem_total_kb = (u64)si.totalram << (PAGE_SHIFT - 10);
	snap->mem_free_kb = (u64)si.freeram << (PAGE_SHIFT - 10);

	prof_start(&b);
	err = pin_pids(&snap->charge, pid_ns, &pinned, &nr, &pinned_cap);
	if (err)
		goto fail;
	prof_mark(&b, PROF_PIN);

	/* up to three strings per process, the table at most half full */
	b.dedup_size = roundup_pow_of_two(max_t(size_t, 6 * nr, 64));
	b.cgroup_root = current->nsproxy->cgroup_ns->root_cset->dfl_cgrp;
	b.scratch = procinfo_alloc(&snap->charge, 1, PROCINFO_CMDLINE_MAX);
	b.cgroup_path = procinfo_alloc(&snap->charge, 1,
				       PROCINFO_CGROUP_MAX + 1);
	b.dedup = procinfo_alloc(&snap->charge, b.dedup_size,
				 sizeof(*b.dedup));
	b.cgroup_cache = procinfo_alloc(&snap->charge, CGROUP_CACHE_SIZE,
					sizeof(*b.cgroup_cache));
	snap->records = procinfo_alloc(&snap->charge, max_t(size_t, nr, 1),
				       sizeof(*snap->records));
	if (snap->records)
		snap->records_cap = max_t(size_t, nr, 1);
	if (!b.scratch || !b.cgroup_path || !b.dedup || !b.cgroup_cache ||
	    !snap->records) {
		unpin_pids(pinned, 0, nr);
		err = -ENOMEM;
	} else {
		memset(b.dedup, 0, b.dedup_size * sizeof(*b.dedup));
		memset(b.cgroup_cache, 0,
		       CGROUP_CACHE_SIZE * sizeof(*b.cgroup_cache));
		err = walk(&b, pinned, nr);
	}
	procinfo_free(&snap->charge, pinned, pinned_cap, sizeof(*pinned));
	procinfo_free(&snap->charge, b.dedup, b.dedup_size, sizeof(*b.dedup));
	procinfo_free(&snap->charge, b.scratch, 1, PROCINFO_CMDLINE_MAX);
	procinfo_free(&snap->charge, b.cgroup_path, 1, PROCINFO_CGROUP_MAX + 1);
	procinfo_free(&snap->charge, b.cgroup_cache, CGROUP_CACHE_SIZE,
		      sizeof(*b.cgroup_cache));
	if (err)
		goto fail;
	profile_log(&b, nr);

	shrink(&snap->charge, (void **)&snap->records, &snap->records_cap,
	       snap->nr_records, sizeof(*snap->records));
	shrink(&snap->charge, (void **)&snap->strings, &snap->strings_cap,
	       snap->strings_len, 1);
	return snap;

fail:
	procinfo_snapshot_free(snap);
	return ERR_PTR(err);
}
