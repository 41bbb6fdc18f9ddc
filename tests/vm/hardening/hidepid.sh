# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.hidepid: the driver shows a reader no process its /proc hides.
# In a mount namespace, /proc is mounted again with each hidepid= mode;
# a reader of uid 1000 must then get, through the JSON file of that mount
# and through the device, only the processes that /proc lets it see (its
# own), unless it is in the mount's gid= group. Without a procfs on /proc
# the device applies the own-uid rule. The JSON file uses the pid
# namespace of its /proc mount, not the reader's.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

U=1000
load_modules
procinfo-hard as-uid $U sleep 600 &
mine=$!
sleep 600 &
roots=$!
sleep 1

# Runs in a private mount namespace: mount /proc with OPTS, then list what
# uid U (with GROUPS) sees through the device and, if the mount is a
# procfs, the JSON file.
view() {	# OPTS GROUPS
	unshare -m sh -c "mount --make-rprivate / && $1 &&
		procinfo-hard as-uid --groups '$2' $U procinfo-hard list device >/tmp/v.dev &&
		if [ -e $SYSINFO ]; then
			procinfo-hard as-uid --groups '$2' $U procinfo-hard list json $SYSINFO >/tmp/v.json
		fi" ||
		fail "reading with: $1"
}
sees() {	# FILE PID
	grep -q "^$2\( \|\$\)" "$1"
}

view "true" ""
sees /tmp/v.json $roots || fail "default /proc: JSON hides root's process"
sees /tmp/v.dev $roots || fail "default /proc: device hides root's process"
ok "default /proc: everything visible, as in /proc"

for mode in invisible noaccess ptraceable; do
	view "mount -t proc -o hidepid=$mode proc /proc" ""
	sees /tmp/v.json $mine || fail "hidepid=$mode: JSON hides the reader's own process"
	sees /tmp/v.dev $mine || fail "hidepid=$mode: device hides the reader's own process"
	sees /tmp/v.json $roots && fail "hidepid=$mode: JSON shows root's process $roots"
	sees /tmp/v.dev $roots && fail "hidepid=$mode: device shows root's process $roots"
	sees /tmp/v.json 1 && fail "hidepid=$mode: JSON shows pid 1"
	ok "hidepid=$mode: only the reader's processes ($(wc -l </tmp/v.json) JSON, $(wc -l </tmp/v.dev) device)"
done

view "mount -t proc -o hidepid=invisible,gid=4321 proc /proc" "4321"
sees /tmp/v.json $roots || fail "hidepid=invisible,gid=: JSON hides root's process from the group"
sees /tmp/v.dev $roots || fail "hidepid=invisible,gid=: device hides root's process from the group"
ok "hidepid=invisible,gid=4321: a member of the group sees everything"

view "mount -t tmpfs none /proc" ""
sees /tmp/v.dev $mine || fail "no procfs on /proc: device hides the reader's own process"
sees /tmp/v.dev $roots && fail "no procfs on /proc: device shows root's process"
ok "no procfs on /proc: the device shows only the reader's processes"

# The JSON file's pids are those of its /proc mount: a reader in a new pid
# namespace reading the parent's /proc sees the parent's pids, as ls does.
unshare -p -f sh -c "procinfo-hard list json $SYSINFO >/tmp/ns.json"
sees /tmp/ns.json $roots || fail "JSON under a new pid namespace lost the mount's pid $roots"
sees /tmp/ns.json 1 || fail "JSON under a new pid namespace lacks the mount's pid 1"
ok "JSON pids follow the /proc mount ($(wc -l </tmp/ns.json) processes)"

kill $mine $roots
unload_modules
pass "hidepid"
