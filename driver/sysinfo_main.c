// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo.ko - every process as JSON in /proc/sysinfo_so1_202041390 and as
 * binary records through /dev/procinfo. Also exports the process walk to
 * continfo.ko (symbol namespace PROCINFO).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>

#include "procinfo_engine.h"

static struct proc_dir_entry *sysinfo_entry;

static int __init sysinfo_init(void)
{
	int err;

	sysinfo_entry = procinfo_json_file_create(PROCINFO_SYSINFO_PROC_NAME, NULL);
	if (!sysinfo_entry) {
		pr_err("cannot create /proc/%s\n", PROCINFO_SYSINFO_PROC_NAME);
		return -ENOMEM;
	}
	err = procinfo_device_register();
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", PROCINFO_DEVICE_NAME,
		       err);
		proc_remove(sysinfo_entry);
		return err;
	}
	pr_info("loaded: /proc/%s, /dev/%s (ABI %u.%u)\n", PROCINFO_SYSINFO_PROC_NAME,
		PROCINFO_DEVICE_NAME, PROCINFO_ABI_MAJOR, PROCINFO_ABI_MINOR);
	return 0;
}

static void __exit sysinfo_exit(void)
{
	procinfo_device_unregister();
	proc_remove(sysinfo_entry);
	pr_info("unloaded\n");
}

module_init(sysinfo_init);
module_exit(sysinfo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("procinfo developers");
MODULE_DESCRIPTION("Process information as JSON in /proc and binary records in /dev/procinfo");
MODULE_VERSION(PROCINFO_VERSION);
