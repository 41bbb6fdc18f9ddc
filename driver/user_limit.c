// SPDX-License-Identifier: GPL-2.0
/*
 * The per-user limit on kernel memory held through open files.
 *
 * An open JSON file keeps its snapshot until close(), and a device snapshot
 * that did not fit stays pending on its file for a retry: kernel memory
 * whose lifetime user space decides. All of it is charged to the reader's
 * memory cgroup (GFP_KERNEL_ACCOUNT), but that bounds nothing where no
 * cgroup limit is set, and the OOM killer cannot see it in any process. So,
 * as pipes have pipe-user-pages-hard, each real uid may hold at most
 * max_user_mb MiB of it at a time; beyond that an open or a snapshot fails
 * with ENOMEM. Readers with CAP_SYS_RESOURCE are exempt (still charged to
 * their cgroup).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "procinfo_engine.h"

/* Used when max_user_mb is 0: 1/16 of RAM, at least this much. */
#define DEFAULT_MIN_MB	64

static unsigned int max_user_mb;
module_param(max_user_mb, uint, 0644);
MODULE_PARM_DESC(max_user_mb,
		 "Most memory (MiB) one user may hold through open procinfo files and pending snapshots (0: 1/16 of RAM, at least 64)");

struct procinfo_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int refs;	/* charges pointing here */
	size_t bytes;		/* bytes counted, <= the limit */
};

static DEFINE_HASHTABLE(users, 6);
static DEFINE_SPINLOCK(users_lock);	/* protects users and their fields */

static size_t user_limit_bytes(void)
{
	unsigned long mb = READ_ONCE(max_user_mb);

	if (!mb)
		mb = max_t(unsigned long, DEFAULT_MIN_MB,
			   (totalram_pages() >> (20 - PAGE_SHIFT)) / 16);
	return (size_t)mb << 20;
}

static struct procinfo_user *lookup_user(kuid_t uid)
{
	struct procinfo_user *u;

	hash_for_each_possible(users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/**
 * procinfo_charge_init - start counting memory for the current task
 * @charge:	charge to set up; release it with procinfo_charge_release()
 *
 * Returns 0 or -ENOMEM.
 */
int procinfo_charge_init(struct procinfo_charge *charge)
{
	struct procinfo_user *u, *fresh = NULL;
	kuid_t uid = current_uid();

	charge->bytes = 0;
	charge->user = NULL;
	if (ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE))
		return 0;

	for (;;) {
		spin_lock(&users_lock);
		u = lookup_user(uid);
		if (u) {
			u->refs++;
		} else if (fresh) {
			u = fresh;
			fresh = NULL;
			u->uid = uid;
			u->refs = 1;
			hash_add(users, &u->node, __kuid_val(uid));
		}
		spin_unlock(&users_lock);
		if (u)
			break;
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
		if (!fresh)
			return -ENOMEM;
	}
	kfree(fresh);
	charge->user = u;
	return 0;
}

/**
 * procinfo_charge_add - count @bytes more against the charge's user
 * @charge:	an initialised charge
 * @bytes:	bytes about to be allocated
 *
 * Returns 0, or -ENOMEM when the user's limit would be passed.
 */
int procinfo_charge_add(struct procinfo_charge *charge, size_t bytes)
{
	struct procinfo_user *u = charge->user;
	size_t limit;
	int err = 0;

	if (u) {
		limit = user_limit_bytes();
		spin_lock(&users_lock);
		if (u->bytes > limit || bytes > limit - u->bytes)
			err = -ENOMEM;
		else
			u->bytes += bytes;
		spin_unlock(&users_lock);
	}
	if (!err)
		charge->bytes += bytes;
	return err;
}

/* Counts @bytes less, after they were freed. */
void procinfo_charge_sub(struct procinfo_charge *charge, size_t bytes)
{
	struct procinfo_user *u = charge->user;

	bytes = min(bytes, charge->bytes);
	charge->bytes -= bytes;
	if (u) {
		spin_lock(&users_lock);
		u->bytes -= min(bytes, u->bytes);
		spin_unlock(&users_lock);
	}
}

/* Uncounts whatever is left and forgets the user. */
void procinfo_charge_release(struct procinfo_charge *charge)
{
	struct procinfo_user *u = charge->user;

	if (!u)
		return;
	spin_lock(&users_lock);
	u->bytes -= min(charge->bytes, u->bytes);
	if (!--u->refs)
		hash_del(&u->node);
	else
		u = NULL;
	spin_unlock(&users_lock);
	kfree(u);
	charge->user = NULL;
	charge->bytes = 0;
}

/*
 * What an allocation of @bytes at @p really takes: a kmalloc bucket, or
 * whole pages from vmalloc. The limit counts that, not what was asked.
 */
static size_t footprint(const void *p, size_t bytes)
{
	return is_vmalloc_addr(p) ? PAGE_ALIGN(bytes) : kmalloc_size_roundup(bytes);
}

/**
 * procinfo_alloc - allocate an array counted against a charge
 * @charge:	the reader's charge
 * @n:		elements
 * @size:	bytes per element
 *
 * Charged to the reader's memory cgroup too. Sizes kvmalloc() would refuse
 * (above INT_MAX) fail here first, cleanly, without its warning. Returns
 * NULL on failure; free with procinfo_free() and the same @n and @size.
 */
void *procinfo_alloc(struct procinfo_charge *charge, size_t n, size_t size)
{
	size_t bytes, real;
	void *p;

	if (check_mul_overflow(n, size, &bytes) || bytes > INT_MAX)
		return NULL;
	if (procinfo_charge_add(charge, bytes))
		return NULL;
	/*
	 * Above a page, kmalloc() hands out a power of two: 1.1 MiB of
	 * records would hold 2 MiB. Where that wastes more than an eighth,
	 * take whole pages from vmalloc instead.
	 */
	if (bytes > PAGE_SIZE && kmalloc_size_roundup(bytes) - bytes > bytes / 8)
		p = __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	else
		p = kvmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!p) {
		procinfo_charge_sub(charge, bytes);
		return NULL;
	}
	real = footprint(p, bytes);
	if (real > bytes && procinfo_charge_add(charge, real - bytes)) {
		kvfree(p);
		procinfo_charge_sub(charge, bytes);
		return NULL;
	}
	return p;
}

void procinfo_free(struct procinfo_charge *charge, void *p, size_t n,
		   size_t size)
{
	size_t bytes = n * size;

	if (!p)
		return;
	bytes = max(bytes, footprint(p, bytes));
	kvfree(p);
	procinfo_charge_sub(charge, bytes);
}
