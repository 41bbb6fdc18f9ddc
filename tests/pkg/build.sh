#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build.sh OUT [CCACHE]
#
# pkg.build: builds all packages into OUT with scripts/build-packages.sh
# (lintian must be clean), checks that procinfo-exporter's package holds its
# unit where Debian 12's systemd and debhelper look (lib/systemd/system) and
# its /etc/default conffile, and that its postinst does not enable the unit,
# then procinfo-dkms alone at the next patch version
# (VERSION and debian/changelog bumped in a copy) into OUT/next/, for the
# upgrade step of pkg.install. Two dpkg-buildpackage runs; the second builds
# no C++ (dpkg-buildpackage -A). With CCACHE (the suite passes it when
# PROCINFO_CCACHE is on) the C++ is compiled through it, in a build
# directory of a fixed path (~/.cache/procinfo/pkg-build) so that a clean
# clone anywhere hits the cache; the packages themselves are unchanged.
#
# Exit status: 0 pass, 1 fail, 77 skipped (not root: apt-get is needed).
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/../.." && pwd)
out=${1:?usage: build.sh OUT [CCACHE]}
ccache=${2:-}

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIPPED: pkg.build needs root (apt-get build-dep)"
	exit 77
fi

version=$(head -n 1 "$repo/VERSION")
next=${version%.*}.$((${version##*.} + 1))

start=$SECONDS
build_args=(--out "$out")
if [[ -n $ccache ]]; then
	work=${XDG_CACHE_HOME:-$HOME/.cache}/procinfo/pkg-build
	mkdir -p "$work"
	exec 9>"$work.lock"
	flock 9 # one suite at a time builds there
	export CMAKE_C_COMPILER_LAUNCHER=$ccache CMAKE_CXX_COMPILER_LAUNCHER=$ccache
	# debhelper points HOME at a fresh directory while it builds: name the
	# cache itself
	CCACHE_DIR=$("$ccache" -k cache_dir)
	export CCACHE_DIR CCACHE_BASEDIR=$work/procinfo-driver CCACHE_NOHASHDIR=1
	build_args+=(--workdir "$work")
fi
"$repo/scripts/build-packages.sh" "${build_args[@]}"

fail() { echo "build.sh: FAIL: $*"; exit 1; }
exporter=("$out"/procinfo-exporter_"$version"_*.deb)
[[ -f ${exporter[0]} ]] || fail "no procinfo-exporter_${version}_*.deb in $out"
contents=$(dpkg-deb -c "${exporter[0]}" | awk '{ print $NF }')
for f in ./lib/systemd/system/procinfo-exporter.service ./etc/default/procinfo-exporter \
	./usr/bin/procinfo-exporter ./usr/share/man/man1/procinfo-exporter.1.gz \
	./usr/share/bash-completion/completions/procinfo-exporter \
	./usr/share/procinfo-exporter/dashboards/procinfo.json; do
	grep -qx -- "$f" <<<"$contents" || fail "${exporter[0]##*/} lacks $f"
done
! grep -q '^\./usr/lib/systemd/' <<<"$contents" ||
	fail "${exporter[0]##*/} ships a unit in /usr/lib/systemd, where Debian 12's debhelper does not register it"
# dh_installsystemd --no-enable: the postinst enables the unit again only
# where it was installed (and enabled) before, never on a first install.
postinst=$(dpkg-deb -I "${exporter[0]}" postinst) ||
	fail "${exporter[0]##*/} has no postinst (dh_installsystemd did not see the unit)"
grep -q "deb-systemd-helper debian-installed 'procinfo-exporter.service'" <<<"$postinst" ||
	fail "the postinst of ${exporter[0]##*/} would enable the unit on install"
echo "build.sh: procinfo-exporter: unit in /lib/systemd/system, conffile, not enabled on install"
echo "build.sh: procinfo-dkms $next for the upgrade test"
"$repo/scripts/build-packages.sh" --out "$out/next" --version "$next" \
	--arch-indep --no-deps
echo "build.sh: PASS: packages $version and procinfo-dkms $next in $((SECONDS - start)) s"
