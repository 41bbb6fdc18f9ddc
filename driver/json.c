// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc JSON files. Each open takes one snapshot; every read of that
 * open file (any size, any offset) renders its part of the document from
 * the snapshot's records, so all reads see one consistent document while
 * the kernel keeps only the records (not the text, which escaping can make
 * six times larger).
 *
 * The document is a list of units: the header, one line per process, the
 * footer. Reads render whole units into a window and note where each ends,
 * so a document read from the start is rendered once, unit by unit, as it
 * is read. A read at an offset past what was rendered measures the units
 * before it (the same code, writing nowhere) and a read behind it finds its
 * unit by binary search; lseek() from the end measures the rest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "procinfo_engine.h"

/* Rendered text kept per open file. */
#define WINDOW_SIZE	(32 * 1024)
/*
 * The longest unit: a record whose name and command line escape every byte
 * to \u00XX, its numbers at their widest, and its keys.
 */
#define UNIT_MAX	(6 * (PROCINFO_COMM_LEN + PROCINFO_CMDLINE_MAX) + 5 * 20 + 256)
static_assert(WINDOW_SIZE >= UNIT_MAX);
/* Units measured between two checks for rescheduling and fatal signals. */
#define MEASURE_BATCH	64

/*
 * Writes into @buf while there is room and always counts, so the same
 * code measures (buf == NULL) and renders.
 */
struct json_writer {
	char *buf;
	size_t cap;
	size_t len;
};

static void put_bytes(struct json_writer *w, const void *s, size_t n)
{
	if (w->buf && w->len + n <= w->cap)
		memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_str(struct json_writer *w, const char *s)
{
	put_bytes(w, s, strlen(s));
}

static void put_u64(struct json_writer *w, u64 v)
{
	char digits[20];
	int i = sizeof(digits);

	do {
		digits[--i] = '0' + do_div(v, 10);
	} while (v);
	put_bytes(w, digits + i, sizeof(digits) - i);
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

/* Bytes of ASCII that go into a JSON string as they are. */
static bool json_plain(u8 c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* \u00XX escapes of the control bytes (6 bytes each, no NUL) */
static const char control_escapes[32][6] = {
	"\\u0000", "\\u0001", "\\u0002", "\\u0003",
	"\\u0004", "\\u0005", "\\u0006", "\\u0007",
	"\\u0008", "\\u0009", "\\u000a", "\\u000b",
	"\\u000c", "\\u000d", "\\u000e", "\\u000f",
	"\\u0010", "\\u0011", "\\u0012", "\\u0013",
	"\\u0014", "\\u0015", "\\u0016", "\\u0017",
	"\\u0018", "\\u0019", "\\u001a", "\\u001b",
	"\\u001c", "\\u001d", "\\u001e", "\\u001f",
};

/* The escape of an ASCII byte that is not plain (RFC 8259). */
static void put_escape(struct json_writer *w, u8 c)
{
	switch (c) {
	case 0:		/* the command line's argument separator */
		put_bytes(w, " ", 1);
		break;
	case '"':
		put_bytes(w, "\\\"", 2);
		break;
	case '\\':
		put_bytes(w, "\\\\", 2);
		break;
	case '\n':
		put_bytes(w, "\\n", 2);
		break;
	case '\t':
		put_bytes(w, "\\t", 2);
		break;
	default:
		put_bytes(w, control_escapes[c], sizeof(control_escapes[c]));
	}
}

/* Bytes put_escape() writes for @c. */
static size_t escape_len(u8 c)
{
	if (c == 0)
		return 1;
	if (c == '"' || c == '\\' || c == '\n' || c == '\t')
		return 2;
	return 6;
}

/*
 * Bytes put_json_string() writes between the quotes for @len raw bytes:
 * the same walk, counting only.
 */
static size_t json_string_len(const u8 *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t seq;

		if (json_plain(s[i])) {
			n++;
			i++;
		} else if (s[i] < 0x80) {
			n += escape_len(s[i++]);
		} else {
			seq = utf8_seq_len(s + i, len - i);
			n += seq ? seq : 3;	/* U+FFFD */
			i += seq ? seq : 1;
		}
	}
	return n;
}

/*
 * Emits @len raw bytes as a JSON string: RFC 8259 escapes, each byte that
 * does not belong to well-formed UTF-8 as U+FFFD, NUL as a space. Runs of
 * plain bytes are copied at once.
 */
static void put_json_string(struct json_writer *w, const u8 *s, size_t len)
{
	size_t i = 0;

	put_bytes(w, "\"", 1);
	if (!w->buf) {		/* measuring */
		w->len += json_string_len(s, len) + 1;
		return;
	}
	while (i < len) {
		size_t start = i, seq;

		while (i < len && json_plain(s[i]))
			i++;
		put_bytes(w, s + start, i - start);
		if (i == len)
			break;
		if (s[i] < 0x80) {
			put_escape(w, s[i++]);
			continue;
		}
		seq = utf8_seq_len(s + i, len - i);
		if (seq) {
			put_bytes(w, s + i, seq);
			i += seq;
		} else {
			put_bytes(w, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i++;
		}
	}
	put_bytes(w, "\"", 1);
}

struct json_file {
	struct procinfo_snapshot *snap;
	const char *array_key;
	loff_t *unit_end;	/* document offset where each unit ends */
	u32 nr_units;		/* header, one per record, footer */
	struct mutex lock;	/* protects what follows */
	u32 nr_known;		/* units whose end is in @unit_end */
	/* measuring: the escaped length of the last command line seen */
	u32 memo_offset;
	u32 memo_len;
	size_t memo_escaped;
	char *window;		/* rendered units [win_start, win_end) */
	loff_t win_start;
	loff_t win_end;
};

static void render_header(struct json_writer *w, const struct json_file *jf)
{
	const struct procinfo_snapshot *snap = jf->snap;

	put_str(w, "{\n  \"mem_total_kb\": ");
	put_u64(w, snap->mem_total_kb);
	put_str(w, ",\n  \"mem_free_kb\": ");
	put_u64(w, snap->mem_free_kb);
	put_str(w, ",\n  \"mem_used_kb\": ");
	put_u64(w, snap->mem_total_kb - snap->mem_free_kb);
	put_str(w, ",\n  \"");
	put_str(w, jf->array_key);
	put_str(w, "\": [\n");
}

static void render_record(struct json_writer *w, struct json_file *jf, u32 i)
{
	const struct procinfo_snapshot *snap = jf->snap;
	const struct procinfo_record *rec = &snap->records[i];
	char pct[4] = { '.', '0' + rec->mem_pct_x100 % 100 / 10,
			'0' + rec->mem_pct_x100 % 10, '"' };
	char state[4] = { '"', rec->state, '"', ' ' };

	put_str(w, "    { \"pid\": ");
	put_u64(w, rec->pid);
	put_str(w, ", \"name\": ");
	put_json_string(w, rec->comm, strnlen((const char *)rec->comm,
					      sizeof(rec->comm)));
	put_str(w, ", \"cmdline\": ");
	if (!w->buf && rec->cmdline_len && rec->cmdline_offset == jf->memo_offset &&
	    rec->cmdline_len == jf->memo_len) {
		/* a shared command line (see store_cmdline()): measured once */
		w->len += jf->memo_escaped;
	} else {
		size_t before = w->len;

		put_json_string(w, (const u8 *)snap->strings +
				rec->cmdline_offset, rec->cmdline_len);
		if (!w->buf) {
			jf->memo_offset = rec->cmdline_offset;
			jf->memo_len = rec->cmdline_len;
			jf->memo_escaped = w->len - before;
		}
	}
	put_str(w, ", \"vsz_kb\": ");
	put_u64(w, rec->vsz_kb);
	put_str(w, ", \"rss_kb\": ");
	put_u64(w, rec->rss_kb);
	put_str(w, ", \"mem_pct\": \"");
	put_u64(w, rec->mem_pct_x100 / 100);
	put_bytes(w, pct, sizeof(pct));
	put_str(w, ", \"proc_jiffies\": ");
	put_u64(w, rec->cpu_ticks);
	put_str(w, ", \"state\": ");
	put_bytes(w, state, sizeof(state));
	put_str(w, i + 1 < snap->nr_records ? "},\n" : "}\n");
}

static void render_unit(struct json_writer *w, struct json_file *jf, u32 unit)
{
	if (unit == 0)
		render_header(w, jf);
	else if (unit + 1 == jf->nr_units)
		put_str(w, "  ]\n}\n");
	else
		render_record(w, jf, unit - 1);
}

static loff_t unit_start(const struct json_file *jf, u32 unit)
{
	return unit ? jf->unit_end[unit - 1] : 0;
}

static void json_file_free(struct json_file *jf)
{
	struct procinfo_snapshot *snap = jf->snap;

	procinfo_free(&snap->charge, jf->window, WINDOW_SIZE, 1);
	procinfo_free(&snap->charge, jf->unit_end, jf->nr_units,
		      sizeof(*jf->unit_end));
	procinfo_snapshot_free(snap);
	kfree(jf);
}

/* Notes where @unit, just rendered or measured as @len bytes, ends. */
static void unit_known(struct json_file *jf, u32 unit, size_t len)
{
	if (unit == jf->nr_known) {
		jf->unit_end[unit] = unit_start(jf, unit) + len;
		jf->nr_known++;
	}
}

/*
 * Measures the units after those known until one ends past @pos or none
 * is left. Called with the lock held; may take long for a big document.
 */
static int measure_past(struct json_file *jf, loff_t pos)
{
	while (jf->nr_known < jf->nr_units &&
	       (!jf->nr_known || jf->unit_end[jf->nr_known - 1] <= pos)) {
		struct json_writer w = {};

		render_unit(&w, jf, jf->nr_known);
		unit_known(jf, jf->nr_known, w.len);
		if (jf->nr_known % MEASURE_BATCH == 0) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/*
 * The root of the /proc mount @file was opened through, for its hidepid=
 * rules; NULL if that mount is not of the whole procfs (a bind mount of
 * this one file), in which case the strictest rule applies.
 */
static const struct path *proc_root_of(const struct file *file,
				       struct path *root)
{
	root->mnt = file->f_path.mnt;
	root->dentry = root->mnt->mnt_root;
	return root->dentry == root->mnt->mnt_sb->s_root ? root : NULL;
}

static int json_open(struct inode *inode, struct file *file)
{
	const u32 *rule = pde_data(inode);
	u32 select = rule ? READ_ONCE(*rule) : 0;
	struct procinfo_snapshot *snap;
	struct json_file *jf;
	struct path root;
	int err;

	/* The pids of the /proc mount this file is in, as /proc/<pid> */
	snap = procinfo_snapshot_take(proc_pid_ns(inode->i_sb),
				      proc_root_of(file, &root), select, false);
	if (IS_ERR(snap))
		return PTR_ERR(snap);

	jf = kzalloc(sizeof(*jf), GFP_KERNEL_ACCOUNT);
	if (!jf) {
		procinfo_snapshot_free(snap);
		return -ENOMEM;
	}
	jf->snap = snap;
	/* counted with the snapshot's charge, released with it */
	err = procinfo_charge_add(&snap->charge, kmalloc_size_roundup(sizeof(*jf)));
	if (err) {
		kfree(jf);
		procinfo_snapshot_free(snap);
		return err;
	}
	jf->array_key = rule ? "containers" : "processes";
	jf->nr_units = snap->nr_records + 2;
	mutex_init(&jf->lock);
	jf->unit_end = procinfo_alloc(&snap->charge, jf->nr_units,
				      sizeof(*jf->unit_end));
	if (!jf->unit_end) {
		err = -ENOMEM;
		goto fail;
	}
	file->private_data = jf;
	return 0;

fail:
	json_file_free(jf);
	return err;
}

/* The known unit holding document offset @pos, which one of them holds. */
static u32 unit_at(const struct json_file *jf, loff_t pos)
{
	u32 lo = 0, hi = jf->nr_known - 1;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (jf->unit_end[mid] <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Renders whole units into the window, from the one holding @pos to the
 * last that fits, noting where each ends. Returns 1, 0 when @pos is past
 * the end of the document, or -EINTR.
 */
static int fill_window(struct json_file *jf, loff_t pos)
{
	struct json_writer w = { .buf = jf->window, .cap = WINDOW_SIZE };
	int err;
	u32 unit;

	err = measure_past(jf, pos);
	if (err)
		return err;
	if (!jf->nr_known || jf->unit_end[jf->nr_known - 1] <= pos)
		return 0;
	unit = unit_at(jf, pos);
	jf->win_start = unit_start(jf, unit);
	do {
		size_t before = w.len;

		render_unit(&w, jf, unit);
		unit_known(jf, unit, w.len - before);
		if (w.len > w.cap) {	/* did not fit: rendered next time */
			w.len = before;
			break;
		}
	} while (++unit < jf->nr_units);
	jf->win_end = jf->win_start + w.len;
	return 1;
}

static ssize_t json_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct json_file *jf = file->private_data;
	loff_t pos = *ppos;
	ssize_t done = 0;
	int err = 0;

	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (mutex_lock_killable(&jf->lock))
		return -EINTR;

	if (!jf->window) {
		jf->window = procinfo_alloc(&jf->snap->charge, WINDOW_SIZE, 1);
		if (!jf->window) {
			err = -ENOMEM;
			goto unlock;
		}
	}

	while (count) {
		size_t n;

		if (pos < jf->win_start || pos >= jf->win_end) {
			err = fill_window(jf, pos);
			if (err <= 0)
				break;
			err = 0;
		}
		n = min_t(loff_t, count, jf->win_end - pos);
		if (copy_to_user(buf + done, jf->window + (pos - jf->win_start),
				 n)) {
			err = -EFAULT;
			break;
		}
		done += n;
		pos += n;
		count -= n;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
unlock:
	mutex_unlock(&jf->lock);
	*ppos = pos;
	return done ? done : err;
}

/* The document's size is known once every unit was measured. */
static loff_t json_lseek(struct file *file, loff_t offset, int whence)
{
	struct json_file *jf = file->private_data;
	loff_t size;
	int err;

	if (mutex_lock_killable(&jf->lock))
		return -EINTR;
	err = measure_past(jf, LLONG_MAX);
	size = jf->unit_end[jf->nr_units - 1];
	mutex_unlock(&jf->lock);
	if (err)
		return err;
	return fixed_size_llseek(file, offset, whence, size);
}

static int json_release(struct inode *inode, struct file *file)
{
	json_file_free(file->private_data);
	return 0;
}

static const struct proc_ops json_proc_ops = {
	.proc_open	= json_open,
	.proc_read	= json_read,
	.proc_lseek	= json_lseek,
	.proc_release	= json_release,
};

/**
 * procinfo_json_file_create - create a /proc JSON file
 * @name:	file name under /proc
 * @rule:	NULL for every process ("processes"); else the container
 *		processes ("containers") with one of these PROCINFO_REASON_*
 *		bits, read at each open (a module parameter may change it)
 *
 * Remove it with proc_remove(); that waits for running opens and reads and
 * releases files still open, so the module owning @rule may then go away.
 */
struct proc_dir_entry *procinfo_json_file_create(const char *name,
						 const u32 *rule)
{
	return proc_create_data(name, 0444, NULL, &json_proc_ops, (void *)rule);
}
EXPORT_SYMBOL_NS_GPL(procinfo_json_file_create, PROCINFO_NS);
