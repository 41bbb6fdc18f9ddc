# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.fileops: write, mmap, lseek to odd/negative/huge offsets and
# pread at random offsets of both /proc files and of /dev/procinfo: defined
# errors or the same bytes as a full read of the same open file.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
check "file operations abuse" procinfo-hard fileops "$SYSINFO" "$CONTINFO" "$DEV"
# shell-level writes too (busybox echo/dd): an error, never accepted
if echo x >"$SYSINFO" 2>/dev/null; then fail "write to $SYSINFO accepted"; fi
if echo x >"$DEV" 2>/dev/null; then fail "write to $DEV accepted"; fi
ok "shell writes refused"
unload_modules
pass "fileops"
