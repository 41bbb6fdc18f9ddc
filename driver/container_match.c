// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Container identity from a cgroup path. Plain C that builds both in the
 * kernel (sysinfo.ko) and in user space (libprocinfo): no allocation, no
 * calls beyond strlen/memcmp/memcpy/memset, no read past the given length.
 *
 * The path is split on '/' into components. Each one is checked against
 * the rules below, with its parent and grandparent in view, and the
 * innermost (deepest) component that matches wins: a container inside
 * another one (Docker in an LXC container, kind's pods in a Docker
 * container) is named by the innermost runtime. <id> is exactly 64
 * lower-case hex digits: 63 or 65 digits or upper case are not an id.
 *
 *   component                        in                   runtime     (ref)
 *   docker-<id>.scope                                     docker      (1)
 *   <id>                             docker/              docker      (2)
 *   cri-containerd-<id>.scope                             containerd  (3)
 *   <slice>:cri-containerd:<id>                           containerd  (4)
 *   <id>                             below kubepods       containerd  (5)
 *   crio-<id>.scope, crio-<id>                            crio        (6)
 *   libpod-<id>.scope, libpod-<id>                        podman      (7)
 *   <name>                           lxc/, lxc.payload/   lxc         (8)
 *   lxc.payload.<name>                                    lxc         (8)
 *   machine-<name>.scope             machine.slice/       nspawn      (9)
 *   payload                          machine.slice/
 *                                    systemd-nspawn@<name>.service/
 *                                                         nspawn      (9)
 *
 * "below kubepods": some component above is "kubepods" or a .slice with a
 * '-'-separated part "kubepods" (kubepods.slice, kubelet-kubepods.slice).
 *
 * The Kubernetes pod uid is that of the innermost pod component at or
 * above the winning component:
 *   pod<uid>  in kubepods/, kubepods/burstable/ or kubepods/besteffort/
 *             (kubelet's cgroupfs driver; Guaranteed pods sit directly
 *             in kubepods)
 *   <...>-pod<uid>.slice with a '-'-separated part "kubepods" before it,
 *             '_' in <uid> standing for '-' (kubelet's systemd driver:
 *             kubepods-pod<uid>.slice, kubepods-burstable-pod<uid>.slice,
 *             kubepods-besteffort-pod<uid>.slice)
 * where <uid> is lower-case hex and '-' (a UUID, or the 32-digit hash of a
 * static pod).
 *
 * Where the shapes come from:
 * (1) Docker's systemd cgroup driver: runc turns cgroupsPath
 *     "system.slice:docker:<id>" into system.slice/docker-<id>.scope.
 * (2) Docker's cgroupfs driver: /docker/<id>.
 * (3) containerd's CRI plugin with SystemdCgroup = true turns
 *     "<pod slice>:cri-containerd:<id>" into <pod slice>/cri-containerd-<id>.scope
 *     (containerd/cri#290, getCgroupsPath()).
 * (4) The same cgroupsPath taken literally, as one directory, by a runtime
 *     that does not use systemd (Falco's libs match ":cri-containerd:").
 * (5) kubelet's cgroupfs driver: /kubepods/[burstable|besteffort/]pod<uid>/<id>.
 *     The path does not say which CRI runtime made it: we report
 *     containerd, the default of kubeadm, k3s and kind. CRI-O says so with
 *     "crio-" (6); dockershim is gone since Kubernetes 1.24, and
 *     cri-dockerd with the systemd driver says "docker-" (1).
 * (6) CRI-O: crio-<id>.scope (systemd), crio-<id> (cgroupfs). Its conmon
 *     runs in crio-conmon-<id>[.scope], which is not the container.
 * (7) Podman: libpod-<id>.scope with the systemd manager, rootful in
 *     machine.slice, rootless in user@<uid>.service/user.slice; the payload
 *     is in libpod-<id>.scope/container when the container runs systemd;
 *     libpod-<id> with the cgroupfs manager. conmon runs in
 *     libpod-conmon-<id>.scope, not matched.
 * (8) LXC: /lxc/<name> (LXC before 4.0), lxc.payload.<name> (LXC 4.0 and
 *     later, LXD, Incus: "lxc.payload." in LXC's src/lxc/cgroups/cgroup.h),
 *     /lxc.payload/<name>. The monitor's lxc.monitor.<name> is not the
 *     container.
 * (9) systemd-machined registers a container as machine-<name>.scope in
 *     machine.slice. nspawn run as systemd-nspawn@<name>.service (what
 *     "machinectl start" does) keeps that unit and moves the container to
 *     "payload", itself to "supervisor" (systemd's src/nspawn/nspawn-cgroup.c).
 *     <name> is unit-name escaped: "\xHH" is the byte 0xHH ("\x2d" is '-').
 *     A malformed escape or "\x00" makes the component not match.
 *
 * Names longer than PROCINFO_CONTAINER_ID_MAX bytes (LXC, nspawn) and pod
 * uids longer than PROCINFO_POD_UID_MAX are cut and flagged.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#endif

#include "container_match.h"

#define CM_HEX_ID_LEN	64
#define CM_CRI_FORM	":cri-containerd:"

/* A run of bytes inside the path, not NUL-terminated. */
struct cm_str {
	const char *p;
	size_t n;
};

/* How the bytes of a hit's id become the id string. */
enum cm_id_form {
	CM_ID_RAW,		/* copied as they are */
	CM_ID_UNIT_ESCAPED,	/* systemd unit-name escapes decoded */
};

/* The winning component so far. */
struct cm_hit {
	unsigned int runtime;
	enum cm_id_form form;
	struct cm_str id;
	struct cm_str pod_uid;	/* as in the path: '_' or '-' */
};

/* What the walk knows about the components above the current one. */
struct cm_walk {
	struct cm_str parent;
	struct cm_str grandparent;
	struct cm_str pod_uid;	/* innermost pod so far, n == 0: none */
	unsigned int kubepods;	/* a kubepods component above */
	struct cm_hit hit;
};

static bool cm_eq(struct cm_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && !memcmp(s.p, lit, n);
}

static bool cm_starts(struct cm_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && !memcmp(s.p, lit, n);
}

static bool cm_ends(struct cm_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && !memcmp(s.p + s.n - n, lit, n);
}

/* @s without its first @head and last @tail bytes (head + tail <= s.n). */
static struct cm_str cm_mid(struct cm_str s, size_t head, size_t tail)
{
	struct cm_str r;

	r.p = s.p + head;
	r.n = s.n - head - tail;
	return r;
}

static bool cm_is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool cm_is_hex_id(struct cm_str s)
{
	size_t i;

	if (s.n != CM_HEX_ID_LEN)
		return false;
	for (i = 0; i < s.n; i++)
		if (!cm_is_lower_hex(s.p[i]))
			return false;
	return true;
}

/* Whether @c is @prefix, a hex id, @suffix; sets *@id to the id. */
static bool cm_wrapped_id(struct cm_str c, const char *prefix,
			  const char *suffix, struct cm_str *id)
{
	size_t head = strlen(prefix), tail = strlen(suffix);

	if (c.n != head + CM_HEX_ID_LEN + tail || !cm_starts(c, prefix) ||
	    !cm_ends(c, suffix))
		return false;
	*id = cm_mid(c, head, tail);
	return cm_is_hex_id(*id);
}

/* Whether one of the '-'-separated parts of @s is @part. */
static bool cm_has_part(struct cm_str s, const char *part)
{
	size_t i = 0, j;

	while (i <= s.n) {
		struct cm_str seg;

		for (j = i; j < s.n && s.p[j] != '-'; j++)
			;
		seg.p = s.p + i;
		seg.n = j - i;
		if (cm_eq(seg, part))
			return true;
		i = j + 1;
	}
	return false;
}

static bool cm_is_kubepods(struct cm_str c)
{
	return cm_eq(c, "kubepods") ||
	       (cm_ends(c, ".slice") &&
		cm_has_part(cm_mid(c, 0, strlen(".slice")), "kubepods"));
}

/* Whether @s is a pod uid: lower-case hex digits and @sep, not empty. */
static bool cm_is_pod_uid(struct cm_str s, char sep)
{
	size_t i;

	if (!s.n)
		return false;
	for (i = 0; i < s.n; i++)
		if (!cm_is_lower_hex(s.p[i]) && s.p[i] != sep)
			return false;
	return true;
}

/* <...>-pod<uid>.slice with a part "kubepods" (kubelet's systemd driver) */
static bool cm_systemd_pod(struct cm_str c, struct cm_str *uid)
{
	struct cm_str name, before;
	size_t dash;

	if (!cm_ends(c, ".slice"))
		return false;
	name = cm_mid(c, 0, strlen(".slice"));
	for (dash = name.n; dash > 0 && name.p[dash - 1] != '-'; dash--)
		;
	if (!dash)
		return false;
	before = cm_mid(name, 0, name.n - dash + 1);
	*uid = cm_mid(name, dash, 0);
	if (!cm_starts(*uid, "pod") || !cm_has_part(before, "kubepods"))
		return false;
	*uid = cm_mid(*uid, strlen("pod"), 0);
	return cm_is_pod_uid(*uid, '_');
}

/* pod<uid> in kubepods[/burstable|/besteffort] (kubelet's cgroupfs driver) */
static bool cm_cgroupfs_pod(const struct cm_walk *w, struct cm_str c,
			    struct cm_str *uid)
{
	if (!cm_starts(c, "pod"))
		return false;
	if (!cm_eq(w->parent, "kubepods") &&
	    !((cm_eq(w->parent, "burstable") || cm_eq(w->parent, "besteffort")) &&
	      cm_eq(w->grandparent, "kubepods")))
		return false;
	*uid = cm_mid(c, strlen("pod"), 0);
	return cm_is_pod_uid(*uid, '-');
}

static int cm_unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the unit-name escapes ("\xHH") of @s into @dst, at most @cap
 * bytes (@dst may be NULL to check only), and sets *@len to the decoded
 * length, which may exceed @cap. Returns false for a malformed escape or
 * one that decodes to a NUL byte.
 */
static bool cm_unit_unescape(struct cm_str s, char *dst, size_t cap,
			     size_t *len)
{
	size_t i = 0, n = 0;

	while (i < s.n) {
		char b = s.p[i];

		if (b == '\\') {
			int hi, lo;

			if (s.n - i < 4 || s.p[i + 1] != 'x')
				return false;
			hi = cm_unhex(s.p[i + 2]);
			lo = cm_unhex(s.p[i + 3]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			b = (char)(hi << 4 | lo);
			i += 4;
		} else {
			i++;
		}
		if (dst && n < cap)
			dst[n] = b;
		n++;
	}
	*len = n;
	return true;
}

/* machine-<name>.scope in machine.slice */
static bool cm_machine_scope(const struct cm_walk *w, struct cm_str c,
			     struct cm_str *name)
{
	size_t head = strlen("machine-"), tail = strlen(".scope"), n;

	if (!cm_eq(w->parent, "machine.slice") || c.n <= head + tail ||
	    !cm_starts(c, "machine-") || !cm_ends(c, ".scope"))
		return false;
	*name = cm_mid(c, head, tail);
	return cm_unit_unescape(*name, NULL, 0, &n);
}

/* payload in machine.slice/systemd-nspawn@<name>.service */
static bool cm_nspawn_payload(const struct cm_walk *w, struct cm_str c,
			      struct cm_str *name)
{
	size_t head = strlen("systemd-nspawn@"), tail = strlen(".service"), n;
	struct cm_str unit = w->parent;

	if (!cm_eq(c, "payload") || !cm_eq(w->grandparent, "machine.slice") ||
	    unit.n <= head + tail || !cm_starts(unit, "systemd-nspawn@") ||
	    !cm_ends(unit, ".service"))
		return false;
	*name = cm_mid(unit, head, tail);
	return cm_unit_unescape(*name, NULL, 0, &n);
}

/* Returns the runtime whose rule @c matches and sets *@id, or NONE. */
static unsigned int cm_rule(const struct cm_walk *w, struct cm_str c,
			    struct cm_str *id, enum cm_id_form *form)
{
	*form = CM_ID_RAW;
	if (cm_wrapped_id(c, "docker-", ".scope", id))
		return PROCINFO_RUNTIME_DOCKER;
	if (cm_eq(w->parent, "docker") && cm_is_hex_id(c)) {
		*id = c;
		return PROCINFO_RUNTIME_DOCKER;
	}
	if (cm_wrapped_id(c, "cri-containerd-", ".scope", id))
		return PROCINFO_RUNTIME_CONTAINERD;
	if (cm_wrapped_id(c, "crio-", ".scope", id) ||
	    cm_wrapped_id(c, "crio-", "", id))
		return PROCINFO_RUNTIME_CRIO;
	if (cm_wrapped_id(c, "libpod-", ".scope", id) ||
	    cm_wrapped_id(c, "libpod-", "", id))
		return PROCINFO_RUNTIME_PODMAN;
	if (w->kubepods && cm_is_hex_id(c)) {
		*id = c;
		return PROCINFO_RUNTIME_CONTAINERD;
	}
	if (cm_eq(w->parent, "lxc") || cm_eq(w->parent, "lxc.payload")) {
		*id = c;
		return PROCINFO_RUNTIME_LXC;
	}
	if (cm_starts(c, "lxc.payload.") && c.n > strlen("lxc.payload.")) {
		*id = cm_mid(c, strlen("lxc.payload."), 0);
		return PROCINFO_RUNTIME_LXC;
	}
	*form = CM_ID_UNIT_ESCAPED;
	if (cm_machine_scope(w, c, id) || cm_nspawn_payload(w, c, id))
		return PROCINFO_RUNTIME_NSPAWN;
	return PROCINFO_RUNTIME_NONE;
}

/* Looks at the component @c below the ones @w has seen. */
static void cm_component(struct cm_walk *w, struct cm_str c)
{
	size_t cri_len = strlen(CM_CRI_FORM) + CM_HEX_ID_LEN;
	struct cm_str slice = c, uid, id = { "", 0 };
	unsigned int runtime = PROCINFO_RUNTIME_NONE;
	enum cm_id_form form = CM_ID_RAW;

	/* <pod slice>:cri-containerd:<id>: pod and container in one */
	if (c.n >= cri_len && cm_is_hex_id(cm_mid(c, c.n - CM_HEX_ID_LEN, 0)) &&
	    cm_starts(cm_mid(c, c.n - cri_len, 0), CM_CRI_FORM)) {
		slice = cm_mid(c, 0, cri_len);
		id = cm_mid(c, c.n - CM_HEX_ID_LEN, 0);
		runtime = PROCINFO_RUNTIME_CONTAINERD;
	}
	if (cm_systemd_pod(slice, &uid) || cm_cgroupfs_pod(w, slice, &uid))
		w->pod_uid = uid;
	if (!runtime)
		runtime = cm_rule(w, c, &id, &form);
	if (runtime) {
		w->hit.runtime = runtime;
		w->hit.form = form;
		w->hit.id = id;
		w->hit.pod_uid = w->pod_uid;
	}
	if (cm_is_kubepods(c))
		w->kubepods = 1;
	w->grandparent = w->parent;
	w->parent = c;
}

unsigned int procinfo_match_cgroup(const char *path, size_t len,
				   struct procinfo_container_match *out)
{
	struct cm_walk w;
	struct cm_str c;
	size_t i, j, n;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.parent.p = "";
	w.grandparent.p = "";
	if (!path)
		len = 0;
	/* A NUL byte ends the path. */
	for (n = 0; n < len && path[n]; n++)
		;
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && path[j] != '/'; j++)
			;
		c.p = path + i;
		c.n = j - i;
		if (c.n)	/* the leading '/', or "//" */
			cm_component(&w, c);
	}
	if (!w.hit.runtime)
		return PROCINFO_RUNTIME_NONE;

	out->runtime = w.hit.runtime;
	if (w.hit.form == CM_ID_UNIT_ESCAPED) {
		cm_unit_unescape(w.hit.id, out->id, PROCINFO_CONTAINER_ID_MAX,
				 &n);
	} else {
		n = w.hit.id.n;
		memcpy(out->id, w.hit.id.p,
		       n < PROCINFO_CONTAINER_ID_MAX ? n : PROCINFO_CONTAINER_ID_MAX);
	}
	if (n > PROCINFO_CONTAINER_ID_MAX)
		out->flags |= PROCINFO_MATCH_ID_CUT;

	for (i = 0; i < w.hit.pod_uid.n && i < PROCINFO_POD_UID_MAX; i++)
		out->pod_uid[i] = w.hit.pod_uid.p[i] == '_' ? '-' : w.hit.pod_uid.p[i];
	if (w.hit.pod_uid.n > PROCINFO_POD_UID_MAX)
		out->flags |= PROCINFO_MATCH_POD_UID_CUT;
	return out->runtime;
}

const char *procinfo_runtime_name(unsigned int runtime)
{
	switch (runtime) {
	case PROCINFO_RUNTIME_DOCKER:
		return "docker";
	case PROCINFO_RUNTIME_CONTAINERD:
		return "containerd";
	case PROCINFO_RUNTIME_CRIO:
		return "crio";
	case PROCINFO_RUNTIME_PODMAN:
		return "podman";
	case PROCINFO_RUNTIME_LXC:
		return "lxc";
	case PROCINFO_RUNTIME_NSPAWN:
		return "nspawn";
	default:
		return "";
	}
}
