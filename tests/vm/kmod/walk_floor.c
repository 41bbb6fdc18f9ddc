// SPDX-License-Identifier: GPL-2.0
/*
 * walk_floor - test fixture, never shipped: /proc/procinfo_walk_floor
 * (root only) reads as the number of processes a bare for_each_process()
 * walk under RCU counts, one line. procinfo-bench times that read as the
 * floor no reader of every process can go below: the same walk, nothing
 * read from the tasks, nothing copied but one number.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#define WALK_FLOOR_NAME "procinfo_walk_floor"

static int walk_floor_show(struct seq_file *m, void *v)
{
	struct task_struct *p;
	unsigned long count = 0;

	rcu_read_lock();
	for_each_process(p)
		count++;
	rcu_read_unlock();
	seq_printf(m, "%lu\n", count);
	return 0;
}

static int __init walk_floor_init(void)
{
	if (!proc_create_single(WALK_FLOOR_NAME, 0400, NULL, walk_floor_show))
		return -ENOMEM;
	return 0;
}

static void __exit walk_floor_exit(void)
{
	remove_proc_entry(WALK_FLOOR_NAME, NULL);
}

module_init(walk_floor_init);
module_exit(walk_floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("procinfo test fixture: a bare for_each_process walk");
