# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.stuck: one process whose mmap_lock stays held (the test fixture
# mmap_lock_holder.ko holds it for writing, as a task stuck in D state
# would) must not stall anyone: a snapshot and a JSON read finish in
# seconds, that process's record says its command line is unavailable,
# and rmmod goes through.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

HOLD=30
load_modules
sleep 600 &
target=$!
sleep 1
before=$(procinfo-hard cmdflags "$target") || fail "snapshot failed"
info "before: $before"
case $before in *unavailable=0*) ;; *) fail "cmdline unavailable before the lock is held" ;; esac

insmod /test/mmap_lock_holder.ko pid="$target" seconds=$HOLD ||
	fail "insmod mmap_lock_holder"
t0=$(stamp)
during=$(procinfo-hard cmdflags "$target") || fail "snapshot failed while the lock is held"
info "during: $during"
case $during in *unavailable=1*) ;; *) fail "no PROCINFO_REC_CMDLINE_UNAVAILABLE for $target" ;; esac
line=$(grep "\"pid\": $target," "$SYSINFO") || fail "JSON read failed while the lock is held"
info "JSON: $line"
case $line in *'"cmdline": ""'*) ;; *) fail "JSON shows a command line it could not read" ;; esac
unload_modules
t=$(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }')
info "snapshot, JSON read and rmmod took $t s with the lock held ${HOLD} s"
awk -v t="$t" -v h="$HOLD" 'BEGIN { exit !(t < h / 3) }' ||
	fail "readers waited on the held mmap_lock ($t s)"
rmmod mmap_lock_holder || fail "rmmod mmap_lock_holder"
kill "$target"
pass "stuck"
