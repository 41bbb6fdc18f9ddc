// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/procinfo: the snapshot as fixed-size binary records through ioctl.
 * See include/uapi/linux/procinfo.h for the ABI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "procinfo_engine.h"

static_assert(sizeof(struct procinfo_record) == PROCINFO_RECORD_SIZE_VER0);
static_assert(sizeof(struct procinfo_snapshot_req) ==
	      PROCINFO_SNAPSHOT_REQ_SIZE_VER0);
static_assert(sizeof(struct procinfo_version) % 8 == 0);

/*
 * Per open file: the snapshot a call could not deliver for lack of room,
 * kept for a PROCINFO_SNAP_RETRY call so the walk is not redone.
 */
struct device_file {
	struct mutex lock;		/* protects @pending */
	struct procinfo_snapshot *pending;
};

static int procinfo_dev_open(struct inode *inode, struct file *file)
{
	struct device_file *df = kzalloc(sizeof(*df), GFP_KERNEL);

	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	file->private_data = df;
	return 0;
}

static int procinfo_dev_release(struct inode *inode, struct file *file)
{
	struct device_file *df = file->private_data;

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
	ver.features = PROCINFO_FEAT_CONTAINERS_VIEW | PROCINFO_FEAT_RETRY;
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

/* Copies records and strings to the caller's buffer. */
static int copy_snapshot(const struct procinfo_snapshot *snap, u64 ubuf,
			 u64 strings_offset)
{
	void __user *dst = u64_to_user_ptr(ubuf);
	size_t records_len = (size_t)snap->nr_records *
			     sizeof(struct procinfo_record);

	if (copy_to_user(dst, snap->records, records_len))
		return -EFAULT;
	if (copy_to_user(dst + strings_offset, snap->strings,
			 snap->strings_len))
		return -EFAULT;
	return 0;
}

static long ioctl_snapshot(struct device_file *df,
			   struct procinfo_snapshot_req __user *ureq)
{
	struct procinfo_snapshot_req req;
	struct procinfo_snapshot *snap;
	enum procinfo_view view;
	u64 records_len;
	u32 usize;
	long ret;

	if (get_user(usize, &ureq->size))
		return -EFAULT;
	if (usize < PROCINFO_SNAPSHOT_REQ_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&req, sizeof(req), ureq, usize);
	if (ret)
		return ret;
	if (req.flags & ~PROCINFO_SNAP_ALL_FLAGS || !req_reserved_clear(&req))
		return -EINVAL;
	if (!req.buf && req.buf_len)
		return -EINVAL;

	view = req.flags & PROCINFO_SNAP_CONTAINERS ?
	       PROCINFO_VIEW_CONTAINERS : PROCINFO_VIEW_ALL;

	if (mutex_lock_interruptible(&df->lock))
		return -EINTR;

	snap = df->pending;
	df->pending = NULL;
	if (snap && (!(req.flags & PROCINFO_SNAP_RETRY) || snap->view != view ||
		     !procinfo_snapshot_fits_reader(snap))) {
		procinfo_snapshot_free(snap);
		snap = NULL;
	}
	if (!snap) {
		snap = procinfo_snapshot_take(task_active_pid_ns(current),
					      current_user_ns(), view);
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
		ret = -ENOSPC;
	} else {
		req.nr_records = snap->nr_records;
		ret = copy_snapshot(snap, req.buf, req.strings_offset);
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
