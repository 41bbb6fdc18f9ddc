// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/procinfo: the snapshot as fixed-size binary records through ioctl.
 * See include/uapi/linux/procinfo.h for the ABI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "procinfo_engine.h"

static_assert(sizeof(struct procinfo_record) == PROCINFO_RECORD_SIZE_VER0);
static_assert(sizeof(struct procinfo_snapshot_req) ==
	      PROCINFO_SNAPSHOT_REQ_SIZE_VER0);
static_assert(sizeof(struct procinfo_version) % 8 == 0);
static_assert(_IOC_SIZE(PROCINFO_IOC_SNAPSHOT) ==
	      PROCINFO_SNAPSHOT_REQ_SIZE_VER0);

/* How long a snapshot that did not fit waits for its PROCINFO_SNAP_RETRY */
#define PENDING_TIMEOUT		(PROCINFO_PENDING_TIMEOUT_SEC * HZ)
/* Bytes copied to user space between two checks for rescheduling */
#define COPY_CHUNK		(1024 * 1024)

/*
 * Per open file: the snapshot a call could not deliver for lack of room,
 * kept for a PROCINFO_SNAP_RETRY call so the walk is not redone, and freed
 * after PENDING_TIMEOUT if no call comes.
 */
struct device_file {
	struct mutex lock;		/* protects @pending */
	struct procinfo_snapshot *pending;
	unsigned long pending_since;	/* jiffies */
	struct delayed_work expire;
};

static void expire_pending(struct work_struct *work)
{
	struct device_file *df = container_of(to_delayed_work(work),
					      struct device_file, expire);

	/* A call holding the lock takes or replaces @pending itself. */
	if (!mutex_trylock(&df->lock))
		return;
	if (df->pending &&
	    time_after_eq(jiffies, df->pending_since + PENDING_TIMEOUT)) {
		procinfo_snapshot_free(df->pending);
		df->pending = NULL;
	}
	mutex_unlock(&df->lock);
}

static int procinfo_dev_open(struct inode *inode, struct file *file)
{
	struct device_file *df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);

	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	INIT_DELAYED_WORK(&df->expire, expire_pending);
	file->private_data = df;
	return 0;
}

static int procinfo_dev_release(struct inode *inode, struct file *file)
{
	struct device_file *df = file->private_data;

	cancel_delayed_work_sync(&df->expire);
	procinfo_snapshot_free(df->pending);
	mutex_destroy(&df->lock);
	kfree(df);
	return 0;
}

static long ioctl_version(void __user *arg)
{
	struct procinfo_version ver;

	memset(&ver, 0, sizeof(ver));
	ver.major = PROCINFO_ABI_MAJOR;
	ver.minor = PROCINFO_ABI_MINOR;
	ver.record_size = sizeof(struct procinfo_record);
	ver.req_size = sizeof(struct procinfo_snapshot_req);
	ver.features = PROCINFO_FEAT_CONTAINERS_VIEW | PROCINFO_FEAT_RETRY |
		       PROCINFO_FEAT_CONTAINER_ID | PROCINFO_FEAT_NO_CMDLINE;
	ver.user_hz = USER_HZ;
	ver.page_size = PAGE_SIZE;
	if (copy_to_user(arg, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static bool req_reserved_clear(const struct procinfo_snapshot_req *req)
{
	size_t i;

	if (req->reserved0)
		return false;
	for (i = 0; i < ARRAY_SIZE(req->reserved); i++)
		if (req->reserved[i])
			return false;
	return true;
}

/* Copies @len bytes in pieces, rescheduling between them. */
static int copy_out(void __user *dst, const void *src, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, COPY_CHUNK);

		if (copy_to_user(dst, src, n))
			return -EFAULT;
		dst += n;
		src += n;
		len -= n;
		if (len) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/* Copies records and strings to the caller's buffer. */
static int copy_snapshot(const struct procinfo_snapshot *snap, u64 ubuf,
			 u64 strings_offset)
{
	void __user *dst = u64_to_user_ptr(ubuf);
	size_t records_len = (size_t)snap->nr_records *
			     sizeof(struct procinfo_record);
	int err;

	err = copy_out(dst, snap->records, records_len);
	if (!err)
		err = copy_out(dst + strings_offset, snap->strings,
			       snap->strings_len);
	return err;
}

/*
 * The device belongs to no /proc mount: the reader gets the rules of the
 * procfs mounted on its /proc (hidepid=, its pid namespace's visibility),
 * and the strictest ones when its /proc is not the root of a procfs.
 */
static struct procinfo_snapshot *take_snapshot(u32 select, bool no_cmdline)
{
	struct procinfo_snapshot *snap;
	struct path root;
	bool have_proc;

	have_proc = !kern_path("/proc", LOOKUP_FOLLOW, &root);
	if (have_proc && (root.dentry->d_sb->s_magic != PROC_SUPER_MAGIC ||
			  root.dentry != root.mnt->mnt_root)) {
		path_put(&root);
		have_proc = false;
	}
	snap = procinfo_snapshot_take(task_active_pid_ns(current),
				      have_proc ? &root : NULL, select, no_cmdline);
	if (have_proc)
		path_put(&root);
	return snap;
}

static long ioctl_snapshot(struct device_file *df,
			   struct procinfo_snapshot_req __user *ureq)
{
	struct procinfo_snapshot_req req;
	struct procinfo_snapshot *snap;
	bool no_cmdline;
	u32 select;
	u64 records_len;
	u32 usize;
	long ret;

	if (get_user(usize, &ureq->size))
		return -EFAULT;
	if (usize < PROCINFO_SNAPSHOT_REQ_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)	/* as clone3() and openat2() */
		return -E2BIG;
	ret = copy_struct_from_user(&req, sizeof(req), ureq, usize);
	if (ret)
		return ret;
	if (req.flags & ~PROCINFO_SNAP_ALL_FLAGS || !req_reserved_clear(&req))
		return -EINVAL;
	if (!req.buf && req.buf_len)
		return -EINVAL;

	select = req.flags & PROCINFO_SNAP_CONTAINERS ? PROCINFO_REASON_ALL : 0;
	no_cmdline = req.flags & PROCINFO_SNAP_NO_CMDLINE;

	if (mutex_lock_killable(&df->lock))
		return -EINTR;

	snap = df->pending;
	df->pending = NULL;
	if (snap && (!(req.flags & PROCINFO_SNAP_RETRY) || snap->select != select ||
		     snap->no_cmdline != no_cmdline ||
		     !procinfo_snapshot_fits_reader(snap) ||
		     time_after_eq(jiffies,
				   df->pending_since + PENDING_TIMEOUT))) {
		procinfo_snapshot_free(snap);
		snap = NULL;
	}
	if (!snap) {
		snap = take_snapshot(select, no_cmdline);
		if (IS_ERR(snap)) {
			ret = PTR_ERR(snap);
			goto unlock;
		}
	}

	records_len = (u64)snap->nr_records * sizeof(struct procinfo_record);
	req.record_size = sizeof(struct procinfo_record);
	req.records_offset = 0;
	req.strings_offset = records_len;
	req.strings_len = snap->strings_len;
	req.needed = records_len + snap->strings_len;
	req.mem_total_kb = snap->mem_total_kb;
	req.mem_free_kb = snap->mem_free_kb;
	req.timestamp_ns = snap->timestamp_ns;
	req.user_hz = USER_HZ;

	if (req.buf_len < req.needed) {
		req.nr_records = 0;
		df->pending = snap;
		df->pending_since = jiffies;
		mod_delayed_work(system_wq, &df->expire, PENDING_TIMEOUT);
		ret = -ENOSPC;
	} else {
		u64 t0 = PROCINFO_PROFILING ? ktime_get_ns() : 0;

		req.nr_records = snap->nr_records;
		ret = copy_snapshot(snap, req.buf, req.strings_offset);
		if (PROCINFO_PROFILING)
			pr_info("profile: copy-out ns=%llu bytes=%llu\n",
				ktime_get_ns() - t0, req.needed);
		procinfo_snapshot_free(snap);
		if (ret)
			goto unlock;
	}

	if (copy_to_user(ureq, &req, min_t(size_t, usize, sizeof(req))))
		ret = -EFAULT;
unlock:
	mutex_unlock(&df->lock);
	return ret;
}

static long procinfo_dev_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PROCINFO_IOC_VERSION:
		return ioctl_version(uarg);
	case PROCINFO_IOC_SNAPSHOT:
		return ioctl_snapshot(file->private_data, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations procinfo_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= procinfo_dev_open,
	.release	= procinfo_dev_release,
	.unlocked_ioctl	= procinfo_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice procinfo_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= PROCINFO_DEVICE_NAME,
	.fops	= &procinfo_dev_fops,
	.mode	= 0444,
};

int procinfo_device_register(void)
{
	return misc_register(&procinfo_misc);
}

void procinfo_device_unregister(void)
{
	misc_deregister(&procinfo_misc);
}
