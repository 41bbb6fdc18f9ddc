#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-kernel.sh [--print dir|kdir|bzimage|release | --modules OUT]
#
# Builds the debug kernel of procinfo's `debug` test tier: Debian's
# linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz), `make tinyconfig`,
# then the fragment tests/debug/debug.config (KASAN, lockdep, PROVE_RCU,
# kmemleak, failslab, UBSAN, ...), `make olddefconfig`; the build fails if
# an option of the fragment did not stick. The result is cached in
#   ${PROCINFO_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/procinfo/vm}/debug-HASH/
# where HASH covers the fragment, the linux-source-6.1 package version and
# this script's recipe version; a build takes a flock on debug-HASH.lock, so
# parallel callers wait for one build and then reuse it. The directory holds
#   linux/      the built tree (KDIR for out-of-tree modules: Module.symvers,
#               scripts, generated headers)
#   bzImage     the image run-vm boots (tests/debug/run-vm-debug)
#   release     `make kernelrelease`, e.g. 6.1.158-procinfo-debug
#   build.log   the build's output; build-seconds: how long it took
#
# Without options: build if needed, then print the directory. With --print
# KEY: print that path (or the release) of an existing build, exit 1 if it
# has not been built. With --modules OUT: build if needed, then build
# driver/ against the debug tree into OUT (tests/kbuild/build-modules.sh,
# warnings are errors). The build runs with -j$(nproc)+1 (PROCINFO_DEBUG_JOBS
# overrides) at normal priority: in a cold suite run it is the critical path
# (the debug boot waits for it), and niced it got ~20% of the CPU next to
# the stock-kernel VMs.
#
# Exit status: 0 ok, 1 build failed / not built, 2 usage or missing source.
set -euo pipefail

prog=build-kernel.sh
self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$self_dir/debug.config
tarball=${PROCINFO_DEBUG_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
# Bump when the recipe below changes in a way that changes the result.
recipe=1

print=
modules_out=
case ${1:-} in
'') ;;
--modules)
	[[ $# -eq 2 ]] || { echo "$prog: --modules wants an output directory" >&2; exit 2; }
	modules_out=$2 ;;
--print)
	[[ $# -eq 2 ]] || { echo "$prog: --print wants one of dir kdir image bzimage release" >&2; exit 2; }
	print=$2 ;;
-h | --help) sed -n '4,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
*) echo "$prog: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

[[ -f $fragment ]] || { echo "$prog: $fragment missing" >&2; exit 2; }
[[ -f $tarball ]] || {
	echo "$prog: $tarball not found: apt-get install linux-source-6.1 (scripts/install-deps.sh)" >&2
	exit 2
}

src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [[ -z $src_version ]]; then
	src_version=$(sha256sum "$tarball" | cut -d' ' -f1)
fi
hash=$( { cat "$fragment"; echo "source=$src_version recipe=$recipe"; } |
	sha256sum | cut -c1-16)
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache_root=${PROCINFO_VM_CACHE:-${XDG_CACHE_HOME:-${home:-/tmp}/.cache}/procinfo/vm}
dir=$cache_root/debug-$hash

if [[ -n $print ]]; then
	[[ -f $dir/.complete ]] || { echo "$prog: debug kernel not built yet ($dir); run $0" >&2; exit 1; }
	case $print in
	dir) echo "$dir" ;;
	kdir) echo "$dir/linux" ;;
	image | bzimage) echo "$dir/bzImage" ;;
	release) cat "$dir/release" ;;
	*) echo "$prog: --print wants one of dir kdir image bzimage release" >&2; exit 2 ;;
	esac
	exit 0
fi

mkdir -p "$cache_root"
exec {lock_fd}>"$dir.lock"
if ! flock -n "$lock_fd"; then
	echo "$prog: waiting for another build of $dir"
	flock -w 7200 "$lock_fd" || { echo "$prog: timed out waiting for $dir.lock" >&2; exit 1; }
fi
build_modules() {
	[[ -n $modules_out ]] || return 0
	exec {lock_fd}>&-
	exec "$self_dir/../kbuild/build-modules.sh" --kdir "$dir/linux" --out "$modules_out"
}

if [[ -f $dir/.complete ]]; then
	echo "$prog: cached: $dir ($(cat "$dir/release"), built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?')s)"
	build_modules
	exit 0
fi

start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/linux"
echo "$prog: unpacking $tarball (linux-source-6.1 $src_version) into $dir/linux"
tar -xf "$tarball" -C "$dir/linux" --strip-components=1

jobs=${PROCINFO_DEBUG_JOBS:-$(($(nproc) + 1))}
log=$dir/build.log
kmake() {
	make -C "$dir/linux" -j"$jobs" "$@"
}
set +e
{
	set -e
	kmake tinyconfig
	"$dir/linux/scripts/kconfig/merge_config.sh" -m -O "$dir/linux" \
		"$dir/linux/.config" "$fragment"
	kmake olddefconfig
	# Every option of the fragment must have its value in the result.
	bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			want="$line"
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			want="${BASH_REMATCH[1]}=n"
		else
			continue
		fi
		opt=${BASH_REMATCH[1]}
		got=$(grep -E "^$opt=|^# $opt is not set" "$dir/linux/.config" || true)
		[[ $got == "# $opt is not set" || -z $got ]] && got="$opt=n"
		if [[ $got != "$want" ]]; then
			echo "$prog: option did not stick: want $want, got $got"
			bad=1
		fi
	done <"$fragment"
	[[ $bad -eq 0 ]]
	kmake bzImage modules
	kmake -s kernelrelease >"$dir/release"
} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [[ $rc -ne 0 ]]; then
	echo "$prog: FAIL: kernel build failed (exit $rc); log: $log"
	exit 1
fi
cp "$dir/linux/arch/x86/boot/bzImage" "$dir/bzImage"
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/.complete"
echo "$prog: OK: $(cat "$dir/release") built in $(cat "$dir/build-seconds")s: $dir"
build_modules
