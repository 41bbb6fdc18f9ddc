#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build.sh OUT
#
# pkg.build: builds all packages into OUT with scripts/build-packages.sh
# (lintian must be clean), then procinfo-dkms alone at the next patch version
# (VERSION and debian/changelog bumped in a copy) into OUT/next/, for the
# upgrade step of pkg.install. Two dpkg-buildpackage runs; the second builds
# no C++ (dpkg-buildpackage -A).
#
# Exit status: 0 pass, 1 fail, 77 skipped (not root: apt-get is needed).
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/../.." && pwd)
out=${1:?usage: build.sh OUT}

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIPPED: pkg.build needs root (apt-get build-dep)"
	exit 77
fi

version=$(head -n 1 "$repo/VERSION")
next=${version%.*}.$((${version##*.} + 1))

start=$SECONDS
"$repo/scripts/build-packages.sh" --out "$out"
echo "build.sh: procinfo-dkms $next for the upgrade test"
"$repo/scripts/build-packages.sh" --out "$out/next" --version "$next" \
	--arch-indep --no-deps
echo "build.sh: PASS: packages $version and procinfo-dkms $next in $((SECONDS - start)) s"
