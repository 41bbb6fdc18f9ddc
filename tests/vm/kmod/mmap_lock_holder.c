// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_lock_holder - test fixture, never shipped: holds the mmap_lock of
 * process @pid for writing during @seconds, as a task stuck in D state
 * holding it would. insmod returns once the lock is held; rmmod (or the
 * time running out) lets it go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process whose mmap_lock is held");
static unsigned int seconds = 10;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "How long it is held");

static struct mm_struct *held_mm;
static struct task_struct *holder;
static DECLARE_COMPLETION(locked);

static int hold(void *unused)
{
	unsigned long until = jiffies + seconds * HZ;

	mmap_write_lock(held_mm);
	complete(&locked);
	while (!kthread_should_stop() && time_before(jiffies, until))
		msleep_interruptible(20);
	mmap_write_unlock(held_mm);
	pr_info("released the mmap_lock of pid %d\n", pid);
	while (!kthread_should_stop())
		msleep_interruptible(20);
	return 0;
}

static int __init holder_init(void)
{
	struct task_struct *task;

	task = get_pid_task(find_vpid(pid), PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	held_mm = get_task_mm(task);
	put_task_struct(task);
	if (!held_mm)
		return -EINVAL;
	holder = kthread_run(hold, NULL, "mmap_lock_holder");
	if (IS_ERR(holder)) {
		mmput(held_mm);
		return PTR_ERR(holder);
	}
	wait_for_completion(&locked);
	pr_info("holding the mmap_lock of pid %d for %u s\n", pid, seconds);
	return 0;
}

static void __exit holder_exit(void)
{
	kthread_stop(holder);
	mmput(held_mm);
}

module_init(holder_init);
module_exit(holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("procinfo test fixture: holds a process's mmap_lock");
