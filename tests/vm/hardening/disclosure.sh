# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.disclosure: no uninitialised kernel memory reaches user space.
# Buffers pre-filled with 0xA5: every padding, reserved and comm-tail byte
# of every record is zero, every byte past the used length keeps the
# pattern, an ENOSPC call writes nothing, the req and version reserved
# fields are zero. With hostile command lines in the table.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
hostile=$(hostile-spawn) || fail "hostile-spawn failed"
info "hostile processes: $(echo "$hostile" | wc -l)"
for i in 1 2 3; do
	check "disclosure, round $i" procinfo-hard disclose
done
unload_modules
pass "disclosure"
