// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc JSON files. Each open takes one snapshot and renders the whole
 * document into a buffer of exactly the right size, so every read of that
 * open file (any size, any offset) sees one consistent document and the
 * walk never reruns because an output buffer was too small.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "procinfo_engine.h"

/*
 * Writes into @buf while there is room and always counts, so one pass with
 * buf == NULL measures the document and a second pass fills it.
 */
struct json_writer {
	char *buf;
	size_t cap;
	size_t len;
};

static void put_bytes(struct json_writer *w, const char *s, size_t n)
{
	if (w->buf && w->len + n <= w->cap)
		memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_str(struct json_writer *w, const char *s)
{
	put_bytes(w, s, strlen(s));
}

static __printf(2, 3) void put_fmt(struct json_writer *w, const char *fmt, ...)
{
	char tmp[64];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(tmp, sizeof(tmp), fmt, args);
	va_end(args);
	put_bytes(w, tmp, n);
}

/*
 * Returns the length of the well-formed UTF-8 sequence (RFC 3629) at @s,
 * or 0 if the byte at @s does not start one.
 */
static size_t utf8_seq_len(const u8 *s, size_t avail)
{
	u8 c = s[0];
	size_t len, i;
	u8 lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > avail)
		return 0;
	/* Second-byte limits exclude overlongs, surrogates and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Emits @len raw bytes as a JSON string body: RFC 8259 escapes, each byte
 * that does not belong to well-formed UTF-8 as U+FFFD, and NUL (the command
 * line's argument separator) as a space.
 */
static void put_json_string(struct json_writer *w, const u8 *s, size_t len)
{
	size_t i = 0;

	put_bytes(w, "\"", 1);
	while (i < len) {
		u8 c = s[i];
		size_t seq;

		if (c == 0) {
			put_bytes(w, " ", 1);
		} else if (c == '"') {
			put_bytes(w, "\\\"", 2);
		} else if (c == '\\') {
			put_bytes(w, "\\\\", 2);
		} else if (c == '\n') {
			put_bytes(w, "\\n", 2);
		} else if (c == '\t') {
			put_bytes(w, "\\t", 2);
		} else if (c < 0x20) {
			put_fmt(w, "\\u%04x", c);
		} else {
			seq = utf8_seq_len(s + i, len - i);
			if (seq) {
				put_bytes(w, (const char *)s + i, seq);
				i += seq;
				continue;
			}
			put_bytes(w, "\xef\xbf\xbd", 3);	/* U+FFFD */
		}
		i++;
	}
	put_bytes(w, "\"", 1);
}

static void render(struct json_writer *w, const struct procinfo_snapshot *snap,
		   const char *array_key)
{
	u32 i;

	put_fmt(w, "{\n  \"mem_total_kb\": %llu,\n", snap->mem_total_kb);
	put_fmt(w, "  \"mem_free_kb\": %llu,\n", snap->mem_free_kb);
	put_fmt(w, "  \"mem_used_kb\": %llu,\n",
		snap->mem_total_kb - snap->mem_free_kb);
	put_fmt(w, "  \"%s\": [\n", array_key);

	for (i = 0; i < snap->nr_records; i++) {
		const struct procinfo_record *rec = &snap->records[i];

		put_fmt(w, "    { \"pid\": %u, \"name\": ", rec->pid);
		put_json_string(w, rec->comm, strnlen((const char *)rec->comm,
						      sizeof(rec->comm)));
		put_str(w, ", \"cmdline\": ");
		put_json_string(w, (const u8 *)snap->strings +
				rec->cmdline_offset, rec->cmdline_len);
		put_fmt(w, ", \"vsz_kb\": %llu, \"rss_kb\": %llu",
			rec->vsz_kb, rec->rss_kb);
		put_fmt(w, ", \"mem_pct\": \"%u.%02u\"",
			rec->mem_pct_x100 / 100, rec->mem_pct_x100 % 100);
		put_fmt(w, ", \"proc_jiffies\": %llu, \"state\": \"%c\" }%s\n",
			rec->cpu_ticks, rec->state,
			i + 1 < snap->nr_records ? "," : "");
	}
	put_str(w, "  ]\n}\n");
}

struct json_file {
	char *text;
	size_t len;
};

static int json_open(struct inode *inode, struct file *file)
{
	enum procinfo_view view = (uintptr_t)pde_data(inode);
	struct procinfo_snapshot *snap;
	struct json_writer w = {};
	struct json_file *jf;
	int err;

	jf = kzalloc(sizeof(*jf), GFP_KERNEL);
	if (!jf)
		return -ENOMEM;

	snap = procinfo_snapshot_take(task_active_pid_ns(current),
				      current_user_ns(), view);
	if (IS_ERR(snap)) {
		err = PTR_ERR(snap);
		goto fail;
	}

	render(&w, snap, view == PROCINFO_VIEW_CONTAINERS ?
	       "containers" : "processes");
	w.cap = w.len;
	w.len = 0;
	w.buf = kvmalloc(w.cap, GFP_KERNEL);
	if (!w.buf) {
		procinfo_snapshot_free(snap);
		err = -ENOMEM;
		goto fail;
	}
	render(&w, snap, view == PROCINFO_VIEW_CONTAINERS ?
	       "containers" : "processes");
	procinfo_snapshot_free(snap);
	WARN_ON_ONCE(w.len != w.cap);

	jf->text = w.buf;
	jf->len = min(w.len, w.cap);
	file->private_data = jf;
	return 0;

fail:
	kfree(jf);
	return err;
}

static ssize_t json_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct json_file *jf = file->private_data;

	return simple_read_from_buffer(buf, count, ppos, jf->text, jf->len);
}

static loff_t json_lseek(struct file *file, loff_t offset, int whence)
{
	struct json_file *jf = file->private_data;

	return fixed_size_llseek(file, offset, whence, jf->len);
}

static int json_release(struct inode *inode, struct file *file)
{
	struct json_file *jf = file->private_data;

	kvfree(jf->text);
	kfree(jf);
	return 0;
}

static const struct proc_ops json_proc_ops = {
	.proc_open	= json_open,
	.proc_read	= json_read,
	.proc_lseek	= json_lseek,
	.proc_release	= json_release,
};

/**
 * procinfo_json_file_create - create a /proc JSON file for a view
 * @name:	file name under /proc
 * @view:	processes it lists
 *
 * Remove it with proc_remove(); that waits for running reads and releases
 * files still open, so the module that created it may then go away.
 */
struct proc_dir_entry *procinfo_json_file_create(const char *name,
						 enum procinfo_view view)
{
	return proc_create_data(name, 0444, NULL, &json_proc_ops,
				(void *)(uintptr_t)view);
}
EXPORT_SYMBOL_NS_GPL(procinfo_json_file_create, PROCINFO_NS);
