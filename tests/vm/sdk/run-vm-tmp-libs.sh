#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# vm.sdk-run-vm-tmp-libs RUN_VM KVER: `run-vm --add` of a program whose
# shared library lives under /tmp, and of a file added to a DEST under
# /tmp, work in the guest, where a tmpfs is mounted over /tmp. Builds the
# program and its library in a fresh directory under /tmp (RUNPATH there),
# boots the guest and runs them.
# Exit 0 pass, 1 fail, 77 skip (no compiler; run-vm's own skip).
set -uo pipefail
run_vm=$1
kver=$2
cc=$(command -v cc || command -v gcc || true)
if [ -z "$cc" ]; then
	echo "SKIPPED: no C compiler"
	exit 77
fi
dir=$(mktemp -d /tmp/procinfo-tmplib.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/greet.c" <<'C'
#include <stdio.h>
void greet(void) { puts("hello from a library under /tmp"); }
C
cat >"$dir/main.c" <<'C'
void greet(void);
int main(void) { greet(); return 0; }
C
"$cc" -shared -fPIC -o "$dir/libgreet.so" "$dir/greet.c" || exit 1
"$cc" -o "$dir/tmp-lib-prog" "$dir/main.c" -L"$dir" -lgreet -Wl,-rpath,"$dir" || exit 1
"$dir/tmp-lib-prog" | grep -q 'under /tmp' || { echo "FAIL: the program does not run on the host"; exit 1; }
echo "data under tmp" >"$dir/data.txt"
cat >"$dir/guest.sh" <<EOF2
. /test/lib.sh
rc=0
out=\$(tmp-lib-prog 2>&1) || rc=\$?
[ "\$rc" -eq 0 ] || { echo "\$out"; fail "tmp-lib-prog: exit \$rc"; }
[ "\$out" = "hello from a library under /tmp" ] || fail "tmp-lib-prog printed: \$out"
ok "a program whose library is under /tmp runs"
[ -e "$dir/libgreet.so" ] || fail "$dir/libgreet.so is not in the guest"
[ "\$(cat /tmp/added/data.txt)" = "data under tmp" ] || fail "--add FILE:/tmp/added/ is not in the guest"
ok "files added under /tmp are there"
pass "run-vm-tmp-libs"
EOF2
"$run_vm" --kernel-release "$kver" --timeout 300 --add "$dir/tmp-lib-prog" \
	--add "$dir/data.txt:/tmp/added/" -- "$dir/guest.sh"
