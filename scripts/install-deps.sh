#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# install-deps.sh: install (on Debian 12) everything procinfo's build and
# tests need. Idempotent: when every package is already installed it changes
# nothing and needs no network. Runs apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
	# build
	build-essential cmake ninja-build pkg-config ccache
	# SDK and tools
	libsimdjson-dev libcli11-dev libfmt-dev libboost-test-dev
	# procinfo-top: ncursesw; its tests drive it in tmux
	libncurses-dev tmux
	# procinfo-exporter: prometheus-cpp; its tests run promtool and a real
	# Prometheus server (package prometheus)
	prometheus-cpp-dev prometheus
	# kbuild tier: Debian 12 kernel headers of every flavour; checkpatch.pl
	linux-headers-amd64 linux-headers-cloud-amd64 linux-headers-rt-amd64
	linux-source-6.1 perl
	# vm tier: QEMU, the guest's userland, initramfs and module tools
	qemu-system-x86 busybox-static cpio kmod xz-utils
	# vm.bench: the ps it measures (procps, copied into the guest)
	procps
	# debug tier: building linux-source-6.1 (tests/debug/build-kernel.sh)
	bc bison flex libelf-dev libssl-dev
	# lint tier
	shellcheck
	# tools tests: the README's CI recipe is checked as YAML (tools.ci-recipe)
	python3-yaml yamllint
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps.sh: all ${#packages[@]} packages already installed"
	exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2
	exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps.sh: done"
