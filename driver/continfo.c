// SPDX-License-Identifier: GPL-2.0
/*
 * continfo.ko - container processes as JSON in /proc/continfo_so1_202041390.
 * The walk and the JSON come from sysinfo.ko; load that first (modprobe
 * does so on its own).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>

#include "procinfo_engine.h"

#define CONTINFO_PROC_NAME "continfo_so1_202041390"

static struct proc_dir_entry *continfo_entry;

static int __init continfo_init(void)
{
	continfo_entry = procinfo_json_file_create(CONTINFO_PROC_NAME,
						   PROCINFO_VIEW_CONTAINERS);
	if (!continfo_entry) {
		pr_err("cannot create /proc/%s\n", CONTINFO_PROC_NAME);
		return -ENOMEM;
	}
	pr_info("loaded: /proc/%s\n", CONTINFO_PROC_NAME);
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
