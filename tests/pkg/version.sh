#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# version.sh CMAKE_PROJECT_VERSION BUILD_DIR
#
# pkg.version: the top-level VERSION file is the one version of the tree.
# Checks that it equals
#   - the upstream version of debian/changelog's latest entry,
#   - CMake's project version (CMAKE_PROJECT_VERSION) and the SDK's generated
#     version.hpp in BUILD_DIR,
#   - the version modinfo reports for sysinfo.ko and continfo.ko: taken from
#     the kbuild tier (BUILD_DIR/kbuild/*/) when built after the last change
#     of VERSION, else built here against one installed header tree,
# and that dkms.conf leaves PACKAGE_VERSION to dh_dkms (#MODULE_VERSION#).
# The module check is skipped (with a note) when no kernel headers exist.
#
# Exit status: 0 pass, 1 fail.
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/../.." && pwd)
cmake_version=${1:?usage: version.sh CMAKE_PROJECT_VERSION BUILD_DIR}
build=${2:?usage: version.sh CMAKE_PROJECT_VERSION BUILD_DIR}
rc=0

fail() { echo "FAIL: $*"; rc=1; }
check() { # NAME VALUE
	if [[ $2 == "$version" ]]; then
		echo "ok: $1 = $2"
	else
		fail "$1 is '$2', VERSION is '$version'"
	fi
}

version=$(head -n 1 "$repo/VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "VERSION '$version' is not MAJOR.MINOR.PATCH"
echo "VERSION: $version"

# debian/changelog: "procinfo-driver (VERSION[-REVISION]) ..." on line 1.
deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$repo/debian/changelog")
upstream=${deb#*:}
upstream=${upstream%-*}
check "debian/changelog upstream version" "$upstream"

check "CMake project version" "$cmake_version"
hpp=$build/sdk/include/procinfo/version.hpp
if [[ -f $hpp ]]; then
	check "PROCINFO_VERSION_STRING ($hpp)" \
		"$(sed -n 's/^#define PROCINFO_VERSION_STRING "\(.*\)"$/\1/p' "$hpp")"
fi

grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$repo/dkms.conf" ||
	fail "dkms.conf: PACKAGE_VERSION must be \"#MODULE_VERSION#\" (dh_dkms -V fills it in)"

# The modules: the kbuild tier's, if newer than VERSION; else build them.
kos=()
for dir in "$build"/kbuild/*/; do
	if [[ -f $dir/sysinfo.ko && -f $dir/continfo.ko &&
		$dir/sysinfo.ko -nt $repo/VERSION && $dir/continfo.ko -nt $repo/VERSION ]]; then
		kos=("$dir/sysinfo.ko" "$dir/continfo.ko")
		break
	fi
done
if [[ ${#kos[@]} -eq 0 ]]; then
	kdir=
	for d in /usr/src/linux-headers-*-amd64; do
		[[ -f $d/Makefile ]] && kdir=$d
	done
	if [[ -z $kdir ]]; then
		echo "note: no kernel headers: modinfo version not checked"
	else
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		echo "building the modules against $kdir"
		if "$repo/tests/kbuild/build-modules.sh" --kdir "$kdir" --out "$tmp/driver" \
			>"$tmp/build.log" 2>&1; then
			kos=("$tmp/driver/sysinfo.ko" "$tmp/driver/continfo.ko")
		else
			cat "$tmp/build.log"
			fail "the modules do not build against $kdir"
		fi
	fi
fi
for ko in "${kos[@]}"; do
	check "modinfo version of ${ko#"$build"/}" "$(/sbin/modinfo -F version "$ko")"
done

[[ $rc -eq 0 ]] && echo "PASS: one version, $version"
exit "$rc"
