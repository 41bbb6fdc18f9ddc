// SPDX-License-Identifier: GPL-2.0
/*
 * procinfo engine: walks the processes of a pid namespace and turns each
 * into a struct procinfo_record, with the values /proc/<pid>/{stat,statm,
 * cmdline} would show for it.
 *
 * The walk has two phases so that nothing sleeps under RCU:
 *  1. under rcu_read_lock(), in batches, find the thread-group leaders by
 *     ascending pid (as /proc's readdir does) and pin each with a reference;
 *  2. without locks, read each pinned task (its mm, its command line,
 *     which may fault and sleep) and drop the reference.
 *
 * Privacy mode (module parameter "privacy", off by default): a reader
 * without CAP_SYS_PTRACE in the user namespace that owns its pid namespace
 * sees only the processes whose real uid is its own real uid, much like
 * mounting /proc with hidepid=invisible. The decision is made once per
 * snapshot from the credentials of the task taking it (the opener of a
 * /proc file, the caller of the ioctl), before the walk starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>

#include "procinfo_engine.h"

/* Tasks pinned per RCU read-side section: bounds the time RCU is held. */
#define PIN_BATCH 256

/* Words in a command line that make a process a container process. */
static const char * const container_keywords[] = {
	"docker", "container", "runc", "busybox",
};

static bool privacy;
module_param(privacy, bool, 0644);
MODULE_PARM_DESC(privacy,
		 "Readers without CAP_SYS_PTRACE see only their own uid's processes (default: off, as stock /proc)");

/*
 * Whether the current task, reading @pid_ns, is restricted to the processes
 * of its own real uid.
 */
static bool reader_restricted(struct pid_namespace *pid_ns)
{
	return READ_ONCE(privacy) &&
	       !ns_capable_noaudit(pid_ns->user_ns, CAP_SYS_PTRACE);
}

struct pinned_task {
	struct task_struct *task;
	pid_t pid;
};

/* Grows a kvmalloc'ed array to at least @want elements of @size bytes. */
static int grow_array(void **array, size_t *cap, size_t want, size_t size)
{
	size_t new_cap;
	void *bigger;

	if (want <= *cap)
		return 0;
	new_cap = max3(*cap * 2, want, (size_t)64);
	bigger = kvmalloc_array(new_cap, size, GFP_KERNEL);
	if (!bigger)
		return -ENOMEM;
	if (*array)
		memcpy(bigger, *array, *cap * size);
	kvfree(*array);
	*array = bigger;
	*cap = new_cap;
	return 0;
}

static void unpin_tasks(struct pinned_task *pinned, size_t from, size_t to)
{
	for (; from < to; from++)
		put_task_struct(pinned[from].task);
}

/*
 * Pins every thread-group leader visible in @ns, in ascending pid order.
 * The same walk as /proc's next_tgid(), resumed after each batch.
 */
static int pin_tasks(struct pid_namespace *ns, struct pinned_task **out,
		     size_t *out_nr)
{
	struct pinned_task *pinned = NULL;
	size_t cap = 0, nr = 0;
	pid_t next = 1;
	bool done = false;
	int err;

	while (!done) {
		int i;

		err = grow_array((void **)&pinned, &cap, nr + PIN_BATCH,
				 sizeof(*pinned));
		if (err)
			goto fail;

		rcu_read_lock();
		for (i = 0; i < PIN_BATCH; i++) {
			struct task_struct *task;
			struct pid *pid = find_ge_pid(next, ns);

			if (!pid) {
				done = true;
				break;
			}
			next = pid_nr_ns(pid, ns) + 1;
			task = pid_task(pid, PIDTYPE_TGID);
			if (!task)
				continue;
			get_task_struct(task);
			pinned[nr].task = task;
			pinned[nr].pid = next - 1;
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
	return 0;

fail:
	unpin_tasks(pinned, 0, nr);
	kvfree(pinned);
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
 * As the scheduler's cputime_adjust(): scales utime/stime (tick samples) to
 * the precise sum_exec_runtime and keeps both monotonic through the group's
 * prev_cputime, the same state /proc/<pid>/stat updates, so both report the
 * same numbers.
 */
static void adjust_cputime(struct task_cputime *curr, struct prev_cputime *prev,
			   u64 *ut, u64 *st)
{
#ifdef CONFIG_VIRT_CPU_ACCOUNTING_NATIVE
	*ut = curr->utime;
	*st = curr->stime;
#else
	u64 rtime, stime, utime;
	unsigned long flags;

	raw_spin_lock_irqsave(&prev->lock, flags);
	rtime = curr->sum_exec_runtime;
	if (prev->stime + prev->utime >= rtime)
		goto out;

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
update:
	if (stime < prev->stime)
		stime = prev->stime;
	utime = rtime - stime;
	if (utime < prev->utime) {
		utime = prev->utime;
		stime = rtime - utime;
	}
	prev->stime = stime;
	prev->utime = utime;
out:
	*ut = prev->utime;
	*st = prev->stime;
	raw_spin_unlock_irqrestore(&prev->lock, flags);
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
 * Reads at most PROCINFO_CMDLINE_MAX bytes of the command line into @buf,
 * following fs/proc/base.c get_mm_cmdline(), including its setproctitle()
 * rule. Returns the byte count with trailing NULs removed.
 */
static size_t read_cmdline(struct task_struct *task, struct mm_struct *mm,
			   char *buf, bool *truncated)
{
	unsigned long arg_start, arg_end, env_start, env_end;
	size_t want;
	int got;
	char c;

	*truncated = false;
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

	want = arg_end - arg_start;
	if (want > PROCINFO_CMDLINE_MAX) {
		want = PROCINFO_CMDLINE_MAX;
		*truncated = true;
	}
	got = access_process_vm(task, arg_start, buf, want, FOLL_ANON);
	if (got <= 0)
		return 0;

	/* The last argv byte, read above unless argv is longer than the cap */
	if (!*truncated && got == want)
		c = buf[want - 1];
	else if (access_process_vm(task, arg_end - 1, &c, 1, FOLL_ANON) != 1)
		c = 0;

	if (c) {
		/*
		 * setproctitle() overwrote the NUL that ends argv: /proc then
		 * shows one page from arg_start up to its first NUL.
		 */
		*truncated = false;
		got = access_process_vm(task, arg_start, buf,
					min_t(size_t, PAGE_SIZE,
					      PROCINFO_CMDLINE_MAX), FOLL_ANON);
		if (got <= 0)
			return 0;
		want = min_t(size_t, strnlen(buf, got), env_end - arg_start);
	} else {
		want = got;
	}
	while (want && !buf[want - 1])
		want--;
	return want;
}

static bool mem_contains(const char *hay, size_t hay_len, const char *needle)
{
	size_t len = strlen(needle);
	size_t i;

	for (i = 0; i + len <= hay_len; i++)
		if (!memcmp(hay + i, needle, len))
			return true;
	return false;
}

static bool is_container_cmdline(const char *cmdline, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(container_keywords); i++)
		if (mem_contains(cmdline, len, container_keywords[i]))
			return true;
	return false;
}

struct snapshot_builder {
	struct procinfo_snapshot *snap;
	size_t records_cap;
	size_t strings_cap;
	char *scratch;			/* PROCINFO_CMDLINE_MAX bytes */
	struct pid_namespace *pid_ns;
	struct user_namespace *user_ns;
};

/* Fills one record from a pinned task; may sleep. */
static int add_task(struct snapshot_builder *b, struct task_struct *task,
		    pid_t pid)
{
	struct procinfo_snapshot *snap = b->snap;
	struct procinfo_record *rec;
	const struct cred *cred;
	struct mm_struct *mm;
	size_t cmdline_len = 0;
	bool truncated = false;
	u32 flags = 0;
	u64 ut, st;
	int err;

	/* Privacy mode: skip other users' processes before reading them. */
	if (snap->restricted && !uid_eq(task_uid(task), snap->uid))
		return 0;

	err = grow_array((void **)&snap->records, &b->records_cap,
			 snap->nr_records + 1, sizeof(*rec));
	if (err)
		return err;

	if (task->flags & PF_KTHREAD)
		flags |= PROCINFO_REC_KTHREAD;

	mm = get_task_mm(task);
	if (mm) {
		cmdline_len = read_cmdline(task, mm, b->scratch, &truncated);
		if (truncated)
			flags |= PROCINFO_REC_CMDLINE_TRUNCATED;
		if (is_container_cmdline(b->scratch, cmdline_len))
			flags |= PROCINFO_REC_CONTAINER;
	} else {
		flags |= PROCINFO_REC_NO_MM;
	}

	if (snap->view == PROCINFO_VIEW_CONTAINERS &&
	    !(flags & PROCINFO_REC_CONTAINER)) {
		if (mm)
			mmput(mm);
		return 0;
	}

	rec = &snap->records[snap->nr_records];
	memset(rec, 0, sizeof(*rec));
	rec->pid = pid;
	rec->flags = flags;

	if (mm) {
		rec->vsz_kb = (u64)mm->total_vm << (PAGE_SHIFT - 10);
		rec->rss_kb = (u64)get_mm_rss(mm) << (PAGE_SHIFT - 10);
		mmput(mm);
	}
	if (cmdline_len) {
		err = grow_array((void **)&snap->strings, &b->strings_cap,
				 snap->strings_len + cmdline_len, 1);
		if (err)
			return err;
		memcpy(snap->strings + snap->strings_len, b->scratch,
		       cmdline_len);
		rec->cmdline_offset = snap->strings_len;
		rec->cmdline_len = cmdline_len;
		snap->strings_len += cmdline_len;
	}

	rcu_read_lock();
	if (pid_alive(task))
		rec->ppid = task_tgid_nr_ns(rcu_dereference(task->real_parent),
					    b->pid_ns);
	cred = __task_cred(task);
	rec->uid = from_kuid_munged(b->user_ns, cred->uid);
	rec->gid = from_kgid_munged(b->user_ns, cred->gid);
	rcu_read_unlock();

	rec->nr_threads = get_nr_threads(task);
	rec->state = task_index_to_char(task_state_index(task));
	__get_task_comm((char *)rec->comm, sizeof(rec->comm), task);
	rec->start_time_ns = task->start_boottime;

	group_cputime(task, &ut, &st);
	rec->utime_ns = ut;
	rec->stime_ns = st;
	rec->cpu_ticks = ns_to_user_ticks(ut) + ns_to_user_ticks(st);
	rec->mem_pct_x100 = div64_u64(rec->rss_kb * 10000, snap->mem_total_kb);

	snap->nr_records++;
	return 0;
}

void procinfo_snapshot_free(struct procinfo_snapshot *snap)
{
	if (!snap)
		return;
	kvfree(snap->records);
	kvfree(snap->strings);
	if (snap->pid_ns)
		put_pid_ns(snap->pid_ns);
	if (snap->user_ns)
		put_user_ns(snap->user_ns);
	kfree(snap);
}
EXPORT_SYMBOL_NS_GPL(procinfo_snapshot_free, PROCINFO_NS);

/**
 * procinfo_snapshot_fits_reader - may the current task be given @snap?
 * @snap:	a snapshot taken earlier, possibly by another task
 *
 * True when the current task would have got the same view: same pid and
 * user namespace, and the same privacy restriction. A file descriptor
 * passed to another process must not hand it a pending snapshot it could
 * not have taken itself.
 */
bool procinfo_snapshot_fits_reader(const struct procinfo_snapshot *snap)
{
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	bool restricted;

	if (snap->pid_ns != pid_ns || snap->user_ns != current_user_ns())
		return false;
	restricted = reader_restricted(pid_ns);
	if (restricted != snap->restricted)
		return false;
	return !restricted || uid_eq(current_uid(), snap->uid);
}

/**
 * procinfo_snapshot_take - read every process visible in a pid namespace
 * @pid_ns:	namespace whose pids are reported (the reader's)
 * @user_ns:	namespace uids and gids are mapped into (the reader's)
 * @view:	all processes, or only container processes
 *
 * Runs in the reader's context: in privacy mode the current task's
 * credentials decide which processes are listed.
 * May sleep. Returns the snapshot (free with procinfo_snapshot_free()) or an
 * ERR_PTR: -ENOMEM, or -EINTR when a fatal signal interrupts the walk.
 */
struct procinfo_snapshot *procinfo_snapshot_take(struct pid_namespace *pid_ns,
						 struct user_namespace *user_ns,
						 enum procinfo_view view)
{
	struct snapshot_builder b = {
		.pid_ns = pid_ns,
		.user_ns = user_ns,
	};
	struct pinned_task *pinned;
	struct sysinfo si;
	size_t nr, i;
	int err;

	b.snap = kzalloc(sizeof(*b.snap), GFP_KERNEL);
	b.scratch = kmalloc(PROCINFO_CMDLINE_MAX, GFP_KERNEL);
	if (!b.snap || !b.scratch) {
		err = -ENOMEM;
		goto fail;
	}
	b.snap->view = view;
	b.snap->pid_ns = get_pid_ns(pid_ns);
	b.snap->user_ns = get_user_ns(user_ns);
	b.snap->restricted = reader_restricted(pid_ns);
	b.snap->uid = current_uid();
	b.snap->timestamp_ns = ktime_get_boottime_ns();
	si_meminfo(&si);
	b.snap->mem_total_kb = (u64)si.totalram << (PAGE_SHIFT - 10);
	b.snap->mem_free_kb = (u64)si.freeram << (PAGE_SHIFT - 10);

	err = pin_tasks(pid_ns, &pinned, &nr);
	if (err)
		goto fail;

	for (i = 0; i < nr; i++) {
		err = add_task(&b, pinned[i].task, pinned[i].pid);
		put_task_struct(pinned[i].task);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		if (err) {
			unpin_tasks(pinned, i + 1, nr);
			break;
		}
		cond_resched();
	}
	kvfree(pinned);
	if (err)
		goto fail;

	kfree(b.scratch);
	return b.snap;

fail:
	kfree(b.scratch);
	procinfo_snapshot_free(b.snap);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(procinfo_snapshot_take, PROCINFO_NS);
