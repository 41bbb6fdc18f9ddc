// SPDX-License-Identifier: GPL-2.0
/*
 * continfo.ko - container processes as JSON in /proc/continfo_so1_202041390.
 * The walk and the JSON come from sysinfo.ko; load that first (modprobe
 * does so on its own).
 *
 * Which processes are container processes is the "rule" parameter:
 *   keywords  the original rule: the command line contains docker,
 *             container, runc or busybox;
 *   cgroup    the process's cgroup path follows a container runtime's
 *             naming, or it lives in a pid namespace below the reader's;
 *   both      either (the default): everything the original listed is
 *             still listed, and real container workloads join it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/string.h>

#include "procinfo_engine.h"

static const struct {
	const char *name;
	u32 reasons;
} rules[] = {
	{ "keywords", PROCINFO_REASON_KEYWORD },
	{ "cgroup", PROCINFO_REASON_CGROUP | PROCINFO_REASON_PIDNS },
	{ "both", PROCINFO_REASON_ALL },
};

/* Read by each open of the file, which may race with a change: READ_ONCE */
static u32 rule_reasons = PROCINFO_REASON_ALL;

static int rule_set(const char *val, const struct kernel_param *kp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (sysfs_streq(val, rules[i].name)) {
			WRITE_ONCE(rule_reasons, rules[i].reasons);
			return 0;
		}
	}
	return -EINVAL;
}

static int rule_get(char *buffer, const struct kernel_param *kp)
{
	u32 reasons = READ_ONCE(rule_reasons);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].reasons == reasons)
			return sysfs_emit(buffer, "%s\n", rules[i].name);
	return sysfs_emit(buffer, "?\n");
}

static const struct kernel_param_ops rule_ops = {
	.set = rule_set,
	.get = rule_get,
};

module_param_cb(rule, &rule_ops, NULL, 0644);
MODULE_PARM_DESC(rule,
		 "Which processes are container processes: keywords, cgroup or both (default)");

static struct proc_dir_entry *continfo_entry;

static int __init continfo_init(void)
{
	continfo_entry = procinfo_json_file_create(PROCINFO_CONTINFO_PROC_NAME,
						   &rule_reasons);
	if (!continfo_entry) {
		pr_err("cannot create /proc/%s\n", PROCINFO_CONTINFO_PROC_NAME);
		return -ENOMEM;
	}
	pr_info("loaded: /proc/%s\n", PROCINFO_CONTINFO_PROC_NAME);
	return 0;
}

static void __exit continfo_exit(void)
{
	proc_remove(continfo_entry);
	pr_info("unloaded\n");
}

module_init(continfo_init);
module_exit(continfo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("procinfo developers");
MODULE_DESCRIPTION("Container processes as JSON in /proc");
MODULE_VERSION(PROCINFO_VERSION);
MODULE_IMPORT_NS(PROCINFO_NS);
