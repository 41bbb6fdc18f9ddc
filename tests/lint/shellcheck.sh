#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# tests/lint/shellcheck.sh [SRC]: "shellcheck -x" on every shell file of the tree: files
# named *.sh, files whose first line runs sh or bash, and the bash
# completions. In a git checkout the tracked files, else every file outside
# build directories, so a new script is checked without being registered.
set -euo pipefail
src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$src"
command -v shellcheck >/dev/null || {
	echo "shellcheck.sh: SKIPPED: shellcheck is not installed (apt install shellcheck)" >&2
	exit 77
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t all < <(git ls-files --cached --others --exclude-standard)
else
	mapfile -t all < <(find . -path ./.git -prune -o -path './build*' -prune -o -type f -print |
		sed 's|^\./||')
fi

files=()
for f in "${all[@]}"; do
	[[ -f $f ]] || continue
	case $f in
	build*/* | debian/.debhelper/* | debian/tmp/*) continue ;;
	*.sh | tools/completion/*) files+=("$f") ;;
	*)
		IFS= read -r first <"$f" 2>/dev/null || first=
		[[ $first =~ ^#!.*(/|env\ )(ba)?sh([[:space:]]|$) ]] && files+=("$f")
		;;
	esac
done
[[ ${#files[@]} -gt 0 ]] || { echo "shellcheck.sh: no shell files found in $src" >&2; exit 1; }
echo "shellcheck.sh: ${#files[@]} files"
shellcheck -x "${files[@]}"
echo "shellcheck.sh: OK"
