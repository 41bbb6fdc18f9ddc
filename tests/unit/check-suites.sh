#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# check-suites.sh PROGRAM SUITE...: every top-level suite or case of the
# Boost.Test PROGRAM is one of the SUITEs ctest runs as unit.<suite>
# (tests/unit/CMakeLists.txt reads them from the sources).
set -eu
prog=$1
shift
listed=$("$prog" --list_content 2>&1 | grep -v '^ ' | tr -d '*' | sort)
registered=$(printf '%s\n' "$@" | sort)
missing=$(printf '%s\n' "$listed" | grep -vxF "$registered" || true)
if [ -n "$missing" ]; then
	echo "check-suites.sh: not run by any unit.<suite> test: $(echo "$missing" | tr "\n" " ")"
	echo "check-suites.sh: put tests in a BOOST_AUTO_TEST_SUITE(name) that starts a line"
	exit 1
fi
gone=$(printf '%s\n' "$registered" | grep -vxF "$listed" || true)
if [ -n "$gone" ]; then
	echo "check-suites.sh: registered but not in $prog: $(echo "$gone" | tr "\n" " ")"
	exit 1
fi
echo "check-suites.sh: $(printf '%s\n' "$listed" | wc -l) suites, each its own test"
