#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-packages.sh [--out DIR] [--version VER] [--arch-indep] [--no-deps]
#                   [--no-lintian] [--workdir DIR]
#
# Builds the Debian packages of this tree (source package procinfo-driver:
# procinfo-dkms, libprocinfo3, libprocinfo-dev, procinfo-tools,
# procinfo-exporter) and checks them with lintian:
#   1. installs the build dependencies (apt-get build-dep on debian/control,
#      plus dpkg-dev and lintian) unless --no-deps; needs root for that;
#   2. copies the tree (tracked and untracked files, not build/ or ignored
#      files) into a temporary directory, since dpkg-buildpackage writes its
#      results into the parent directory;
#   3. runs dpkg-buildpackage -us -uc there (source and binary packages);
#   4. moves the results into DIR (default build/packages/ of this tree),
#      replacing earlier procinfo-driver results there;
#   5. runs lintian on them and fails on any error or warning;
#   6. prints the packages with their sizes.
#
# --version VER   build version VER instead: the copy's VERSION file and a new
#                 debian/changelog entry say VER (tests use it for an upgrade)
# --arch-indep    build only procinfo-dkms (dpkg-buildpackage -A: no C++ build)
# --no-deps       do not install anything
# --no-lintian    skip step 5
# --workdir DIR   copy and build in DIR (this script's earlier copy there
#                 removed first; kept afterwards) instead of a temporary
#                 directory; compiled with ccache
#                 (CMAKE_<LANG>_COMPILER_LAUNCHER=ccache in the environment),
#                 a fixed DIR is what lets a rebuild hit the cache, since
#                 dpkg-buildflags puts the build path into every compile
#
# Exit status: 0 built (and lintian clean), 1 build or lintian failure,
# 2 usage error or missing prerequisites.
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/.." && pwd)
out=$repo/build/packages
version=
indep=0
deps=1
run_lintian=1
workdir=

usage() {
	sed -n '4,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit "${1:-2}"
}
say() { echo "build-packages.sh: $*"; }
die() { echo "build-packages.sh: error: $*" >&2; exit "${2:-1}"; }

while [[ $# -gt 0 ]]; do
	case $1 in
	--out) [[ $# -ge 2 ]] || usage; out=$2; shift 2 ;;
	--version) [[ $# -ge 2 ]] || usage; version=$2; shift 2 ;;
	--arch-indep) indep=1; shift ;;
	--no-deps) deps=0; shift ;;
	--no-lintian) run_lintian=0; shift ;;
	--workdir) [[ $# -ge 2 ]] || usage; workdir=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "build-packages.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[[ -z $version || $version =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
	die "--version takes a version like 0.1.1, not '$version'" 2

# 1. Build dependencies.
if [[ $deps -eq 1 ]]; then
	[[ $(id -u) -eq 0 ]] || die "installing build dependencies needs root (or pass --no-deps)" 2
	say "installing build dependencies"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends dpkg-dev lintian >/dev/null 2>&1 ||
		! apt-get -o DPkg::Lock::Timeout=900 build-dep -y -qq "$repo" >/dev/null 2>&1; then
		apt-get update -qq
		apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends dpkg-dev lintian >/dev/null
		apt-get -o DPkg::Lock::Timeout=900 build-dep -y -qq "$repo" >/dev/null
	fi
fi
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage not found: install dpkg-dev" 2
(cd "$repo" && dpkg-checkbuilddeps) || die "build dependencies missing (run without --no-deps)" 2

# 2. A copy of the tree.
if [[ -n $workdir ]]; then
	mkdir -p "$workdir"
	work=$(cd "$workdir" && pwd)
	# only what an earlier run of this script left there
	rm -rf "${work:?}/procinfo-driver" "$work"/*.deb "$work"/procinfo-driver_* "$work"/*.ddeb
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/procinfo-pkg.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi
src=$work/procinfo-driver
mkdir "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$repo" && git ls-files -z -c -o --exclude-standard) |
		grep -zv '^build/' |
		(cd "$repo" && tar --null -T - -cf - 2>/dev/null) | tar -C "$src" -xf -
else
	tar -C "$repo" --exclude=./build --exclude='./obj-*' -cf - . | tar -C "$src" -xf -
fi
[[ -f $src/debian/control ]] || die "no debian/control in the copy of $repo" 2

if [[ -n $version ]]; then
	say "version $version"
	echo "$version" >"$src/VERSION"
	maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
	{
		printf 'procinfo-driver (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Version %s, built by scripts/build-packages.sh --version.\n\n' "$version"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$src/debian/changelog"
	} >"$work/changelog"
	mv "$work/changelog" "$src/debian/changelog"
fi

# 3. Build.
mode=(-us -uc)
[[ $indep -eq 1 ]] && mode+=(-A)
say "dpkg-buildpackage ${mode[*]} in $src (log: $out/build.log)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
start=$SECONDS
if ! (cd "$src" && dpkg-buildpackage "${mode[@]}") >"$out/build.log.new" 2>&1; then
	tail -n 40 "$out/build.log.new" >&2
	mv "$out/build.log.new" "$out/build.log"
	die "dpkg-buildpackage failed (see $out/build.log)"
fi
mv "$out/build.log.new" "$out/build.log"
say "built in $((SECONDS - start)) s"

# 4. Results.
shopt -s nullglob
old=("$out"/*.deb "$out"/procinfo-driver_*)
rm -f "${old[@]}"
for f in "$work"/*.deb "$work"/procinfo-driver_*; do
	[[ -f $f ]] && mv "$f" "$out/"
done
changes=("$out"/procinfo-driver_*.changes)
[[ ${#changes[@]} -eq 1 ]] || die "expected one .changes file in $out"

# 5. lintian.
rc=0
if [[ $run_lintian -eq 1 ]]; then
	say "lintian ${changes[0]##*/}"
	lintian --fail-on error,warning --info "${changes[0]}" >"$out/lintian.log" 2>&1 || rc=1
	grep -v '^running with root privileges' "$out/lintian.log" || true
	if [[ $rc -eq 0 ]]; then
		say "lintian: no errors or warnings"
	else
		echo "build-packages.sh: FAIL: lintian reports errors or warnings (see above)" >&2
	fi
fi

# 6. Summary.
say "packages in $out:"
for f in "$out"/*.deb; do
	printf '  %-48s %8s bytes\n' "${f##*/}" "$(stat -c %s "$f")"
done
exit "$rc"
