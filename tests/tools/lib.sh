# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=bash
# What the tools' host tests share (sourced by run.sh and bench.sh): a
# scratch directory $tmp removed on exit, and checks of a command's exit
# status and output.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs a command, keeps its stdout/stderr in $tmp/out and $tmp/err and its
# exit status in $status.
run() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  echo "\$ $* -> exit $status"
}

expect_status() {
  [ "$status" -eq "$1" ] || {
    echo "--- stdout"; head -50 "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    fail "expected exit $1, got $status"
  }
}

expect_in() {  # FILE PATTERN: an extended regex the file must match
  grep -Eq -- "$2" "$tmp/$1" || {
    echo "--- $1"; head -50 "$tmp/$1"; fail "$1 does not match /$2/"
  }
}
