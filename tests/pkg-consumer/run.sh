#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Installs a built procinfo tree into a temporary prefix, builds
# examples/consumer against it through find_package and through pkg-config,
# and runs both binaries on the host's procfs: each must print 5 lines.
#
#   run.sh CMAKE BUILD_DIR CONSUMER_SRC_DIR [MAKE]
set -euo pipefail

cmake=$1
build=$2
src=$3
make=${4:-make}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }

check_five_lines() {
  local name=$1 binary=$2 out
  out=$("$binary" procfs) || fail "$name: $binary procfs exited with $?"
  printf '%s\n' "$out" | sed "s/^/  $name: /"
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 5 ] || fail "$name: expected 5 lines"
}

echo "== install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; fail "cmake --install"; }
find "$prefix" -name procinfoConfig.cmake | grep -q . ||
  fail "the build installs no SDK (no procinfoConfig.cmake under $prefix): configure it with -DPROCINFO_INSTALL=ON"

echo "== find_package(procinfo 0.1)"
"$cmake" -S "$src" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; fail "configure the consumer with find_package"; }
"$cmake" --build "$tmp/cmake-build" >>"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; fail "build the consumer with find_package"; }
check_five_lines find_package "$tmp/cmake-build/consumer"

echo "== pkg-config procinfo"
pcdir=
for dir in "$prefix"/lib/pkgconfig "$prefix"/lib/*/pkgconfig "$prefix"/lib64/pkgconfig \
           "$prefix"/share/pkgconfig; do
  if [ -f "$dir/procinfo.pc" ]; then pcdir=$dir; break; fi
done
[ -n "$pcdir" ] || fail "no procinfo.pc under $prefix"
libdir=$(dirname "$pcdir")
mkdir "$tmp/make-build"
# The .pc file must be relocatable: it is used from a prefix it was not
# configured for, with no --define-prefix help.
PKG_CONFIG_PATH=$pcdir "$make" -C "$tmp/make-build" -f "$(cd "$src" && pwd)/Makefile" \
  >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; fail "build the consumer with pkg-config"; }
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
  check_five_lines pkg-config "$tmp/make-build/consumer"

echo "PASS"
