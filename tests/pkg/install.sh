#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# install.sh --debs DIR --kernel-release KVER --run-vm RUN_VM [--log-dir DIR]
#
# pkg.install: installs the packages pkg.build left in DIR on this machine,
# checks them, and leaves the machine as it found it (everything installed
# here is purged on exit, also on failure):
#   1. apt-get install ./procinfo-dkms_*.deb; dkms status says installed for
#      every /usr/src/linux-headers-*-amd64 (dkms install for any that the
#      postinst left out, e.g. when the running kernel has headers);
#      modinfo version of each module = VERSION; udev rule and example shipped
#   2. the VM (kernel KVER) boots with the modules from
#      /lib/modules/KVER/updates/dkms/ and passes tests/vm/cases/smoke.sh
#   3. apt-get install libprocinfo3, libprocinfo-dev, procinfo-tools;
#      examples/consumer builds with find_package (CMAKE_PREFIX_PATH unset)
#      and with pkg-config against /usr, and runs on the host
#   4. in the VM, with the DKMS modules: both consumers and procinfo-compare
#      (tests/pkg/guest-sdk.sh)
#   4b. apt-get install procinfo-exporter: its files and unit are installed,
#      /etc/default/procinfo-exporter is a conffile, the unit is neither
#      enabled (no link under /etc/systemd/system) nor started,
#      systemd-analyze verify passes on it, and procinfo-exporter --version
#      prints VERSION
#   5. upgrade to DIR/next/procinfo-dkms_*.deb: every flavour's module now
#      reports the new version, and the old one is gone from DKMS
#   6. apt-get purge: nothing left in /usr/src/procinfo-*, /var/lib/dkms/procinfo,
#      /lib/modules/*/updates/dkms/{sysinfo,continfo}*, the udev rule, the
#      exporter's unit, conffile and systemd state
#
# Exit status: 0 pass, 1 fail, 77 skipped (not root, or no dkms-able headers).
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/../.." && pwd)
debs='' kver='' run_vm='' log_dir=''
while [[ $# -gt 0 ]]; do
	case $1 in
	--debs) debs=$2; shift 2 ;;
	--kernel-release) kver=$2; shift 2 ;;
	--run-vm) run_vm=$2; shift 2 ;;
	--log-dir) log_dir=$2; shift 2 ;;
	*) echo "install.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $debs && -n $kver && -n $run_vm ]] || {
	echo "usage: install.sh --debs DIR --kernel-release KVER --run-vm RUN_VM [--log-dir DIR]" >&2
	exit 2
}

[[ -z $log_dir ]] || mkdir -p "$log_dir"
if [[ $(id -u) -ne 0 ]]; then
	echo "SKIPPED: pkg.install needs root (apt-get, dkms)"
	exit 77
fi

packages=(procinfo-dkms libprocinfo3 libprocinfo-dev procinfo-tools procinfo-exporter)
version=$(head -n 1 "$repo/VERSION")
export DEBIAN_FRONTEND=noninteractive
tmp=$(mktemp -d)
step_start=$SECONDS
t0=$SECONDS

step() {
	echo "== [$((SECONDS - t0)) s] $*"
	step_start=$SECONDS
}
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $* ($((SECONDS - step_start)) s)"; }

installed_packages() {
	local p
	for p in "${packages[@]}"; do
		if dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep '^[ihr]' >/dev/null; then
			echo "$p"
		fi
	done
}
purge_all() {
	local left
	mapfile -t left < <(installed_packages)
	if [[ ${#left[@]} -gt 0 ]]; then
		apt-get -o DPkg::Lock::Timeout=900 purge -y -q "${left[@]}" >"$tmp/purge.log" 2>&1 ||
			{ cat "$tmp/purge.log"; return 1; }
	fi
}
cleanup() {
	local rc=$?
	purge_all || echo "install.sh: WARNING: apt-get purge failed; left: $(installed_packages | xargs)"
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT

apt_install() { # LOG DEB...
	local log=$1
	shift
	if ! apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		cat "$log"
		fail "apt-get install $*"
	fi
}

# Header trees DKMS can build for: the Debian flavours this project targets.
kvers=()
for d in /usr/src/linux-headers-*-amd64; do
	[[ -f $d/Makefile ]] && kvers+=("${d#/usr/src/linux-headers-}")
done
[[ ${#kvers[@]} -gt 0 ]] || { echo "SKIPPED: no /usr/src/linux-headers-*-amd64"; exit 77; }
[[ -d /usr/src/linux-headers-$kver ]] || fail "no headers for the guest kernel $kver"
command -v dkms >/dev/null || apt_install "$tmp/dkms.log" dkms

dkms_deb=("$debs"/procinfo-dkms_"$version"_all.deb)
next_deb=("$debs"/next/procinfo-dkms_*_all.deb)
for f in "${dkms_deb[0]}" "${next_deb[0]}" "$debs"/libprocinfo3_"$version"_*.deb \
	"$debs"/libprocinfo-dev_"$version"_*.deb "$debs"/procinfo-tools_"$version"_*.deb \
	"$debs"/procinfo-exporter_"$version"_*.deb; do
	[[ -f $f ]] || fail "missing $f (run pkg.build)"
done
next_version=$(dpkg-deb -f "${next_deb[0]}" Version)

# Module file of MODULE for KVER under updates/dkms, decompressed into DIR.
module_file() { # KVER MODULE DIR
	local f
	for f in /lib/modules/"$1"/updates/dkms/"$2".ko{,.xz,.zst,.gz}; do
		[[ -f $f ]] || continue
		case $f in
		*.xz) xz -dc "$f" >"$3/$2.ko" ;;
		*.zst) zstd -qdc "$f" >"$3/$2.ko" ;;
		*.gz) gzip -dc "$f" >"$3/$2.ko" ;;
		*) cp "$f" "$3/$2.ko" ;;
		esac
		echo "$3/$2.ko"
		return 0
	done
	return 1
}

check_dkms() { # VERSION: built and installed for every flavour, modinfo says VERSION
	local v=$1 k m dir status
	for k in "${kvers[@]}"; do
		status=$(dkms status -m procinfo -v "$v" -k "$k" 2>/dev/null)
		if [[ $status != *": installed"* ]]; then
			echo "dkms status for $k: '${status}'; running dkms install"
			dkms install -m procinfo -v "$v" -k "$k" >"$tmp/dkms-$k.log" 2>&1 ||
				{ cat "$tmp/dkms-$k.log"; fail "dkms install procinfo/$v -k $k"; }
			status=$(dkms status -m procinfo -v "$v" -k "$k")
		fi
		[[ $status == *": installed"* ]] || fail "dkms status for $k: '$status'"
		dir=$tmp/mods-$v-$k
		mkdir -p "$dir"
		for m in sysinfo continfo; do
			module_file "$k" "$m" "$dir" >/dev/null ||
				fail "$k: no $m.ko* in /lib/modules/$k/updates/dkms/"
			[[ $(/sbin/modinfo -F version "$dir/$m.ko") == "$v" ]] ||
				fail "$k: $m.ko has version $(/sbin/modinfo -F version "$dir/$m.ko"), not $v"
		done
		echo "  $status; modinfo version $v"
	done
}

# Runs run-vm with the DKMS modules; prints the guest's ok/FAIL lines and,
# on failure, the end of the console log.
run_vm() { # LOGNAME RUN_VM_ARGS...
	local log=$tmp/$1.log rc=0
	shift
	"$run_vm" --kernel-release "$kver" --modules "$mods" "$@" >"$log" 2>&1 || rc=$?
	[[ -z $log_dir ]] || cp "$log" "$log_dir/"
	grep -E '^(ok|info|PASS|FAIL|SKIP)|^run-vm:' "$log" | sed 's/^/  /' || true
	[[ $rc -eq 0 ]] || tail -n 40 "$log"
	return "$rc"
}

step "leftovers of an earlier run"
purge_all
ok "none installed"

step "apt-get install ./procinfo-dkms_${version}_all.deb"
apt_install "$tmp/install-dkms.log" "${dkms_deb[0]}"
grep -E 'Building|Installing to|skipped|Error|error' "$tmp/install-dkms.log" | sed 's/^/  /' || true
running=$(uname -r)
if [[ ! -e /lib/modules/$running/build ]]; then
	echo "  running kernel $running has no headers: DKMS skipped it, the postinst did not fail"
fi
check_dkms "$version"
[[ -f /usr/lib/udev/rules.d/60-procinfo.rules ]] || fail "no udev rule /usr/lib/udev/rules.d/60-procinfo.rules"
grep -q '^SUBSYSTEM=="misc", KERNEL=="procinfo", MODE="0444"' /usr/lib/udev/rules.d/60-procinfo.rules ||
	fail "udev rule does not set MODE 0444 for procinfo"
[[ -f /usr/share/doc/procinfo-dkms/examples/procinfo.conf ]] || fail "no modules-load.d example"
[[ ! -e /etc/modules-load.d/procinfo.conf ]] || fail "procinfo-dkms must not load the modules at boot"
ok "procinfo-dkms $version: built and installed for ${kvers[*]}"

mods=$tmp/mods-$version-$kver
step "VM $kver with the DKMS modules: tests/vm/cases/smoke.sh"
run_vm pkg.install-smoke -- "$repo/tests/vm/cases/smoke.sh" || fail "smoke test with the DKMS-built modules"
ok "smoke test passed with the DKMS modules of $kver"

step "apt-get install libprocinfo3 libprocinfo-dev procinfo-tools"
apt_install "$tmp/install-sdk.log" "$debs"/libprocinfo3_"$version"_*.deb \
	"$debs"/libprocinfo-dev_"$version"_*.deb "$debs"/procinfo-tools_"$version"_*.deb
ok "installed"

step "examples/consumer against /usr: find_package and pkg-config"
unset CMAKE_PREFIX_PATH PKG_CONFIG_PATH
if ! cmake -S "$repo/examples/consumer" -B "$tmp/consumer-cmake" -DCMAKE_BUILD_TYPE=Release \
	>"$tmp/consumer-cmake.log" 2>&1 ||
	! cmake --build "$tmp/consumer-cmake" >>"$tmp/consumer-cmake.log" 2>&1; then
	cat "$tmp/consumer-cmake.log"
	fail "consumer with find_package"
fi
found=$(sed -n 's/^procinfo_DIR:PATH=//p' "$tmp/consumer-cmake/CMakeCache.txt")
[[ $found == /usr/lib/*/cmake/procinfo ]] || fail "find_package found procinfo in '$found', not /usr"
mkdir "$tmp/consumer-pc"
make -C "$tmp/consumer-pc" -f "$repo/examples/consumer/Makefile" >"$tmp/consumer-pc.log" 2>&1 ||
	{ cat "$tmp/consumer-pc.log"; fail "consumer with pkg-config"; }
[[ $(pkg-config --variable=prefix procinfo) == /usr || $(pkg-config --variable=prefix procinfo) == */../../.. ]] ||
	echo "  note: pkg-config prefix $(pkg-config --variable=prefix procinfo)"
for c in "$tmp/consumer-cmake/consumer" "$tmp/consumer-pc/consumer"; do
	ldd "$c" | grep -E 'libprocinfo\.so\.3 => (/usr)?/lib/' >/dev/null || fail "$c does not use /usr's libprocinfo.so.3"
	[[ $("$c" procfs | wc -l) -eq 5 ]] || fail "$c procfs: expected 5 lines"
done
ok "find_package ($found) and pkg-config builds run on the host"

step "VM $kver: consumers and procinfo-compare with the DKMS modules"
run_vm pkg.install-sdk \
	--add "$tmp/consumer-cmake/consumer:/usr/local/bin/consumer-cmake" \
	--add "$tmp/consumer-pc/consumer:/usr/local/bin/consumer-pc" \
	--add /usr/bin/procinfo-compare \
	-- "$self_dir/guest-sdk.sh" || fail "packaged SDK and tools in the VM"
ok "consumers and procinfo-compare pass in the VM"

step "apt-get install procinfo-exporter: installed, neither enabled nor started"
apt_install "$tmp/install-exporter.log" "$debs"/procinfo-exporter_"$version"_*.deb
unit=/lib/systemd/system/procinfo-exporter.service
dpkg -L procinfo-exporter >"$tmp/exporter.files"
for f in /usr/bin/procinfo-exporter "$unit" /etc/default/procinfo-exporter \
	/usr/share/man/man1/procinfo-exporter.1.gz \
	/usr/share/bash-completion/completions/procinfo-exporter; do
	grep -qx -- "$f" "$tmp/exporter.files" || fail "procinfo-exporter does not ship $f"
	[[ -e $f ]] || fail "$f not installed"
done
dpkg-query -W -f '${Conffiles}\n' procinfo-exporter | grep -q '^ /etc/default/procinfo-exporter ' ||
	fail "/etc/default/procinfo-exporter is not a conffile"
if grep -E '^/usr/bin/procinfo-(ps|compare|bench|top)$' "$tmp/exporter.files"; then
	fail "procinfo-exporter ships procinfo-tools' programs"
fi
if dpkg -L procinfo-tools | grep procinfo-exporter; then
	fail "procinfo-tools ships procinfo-exporter's files"
fi
# Not enabled: no link to the unit anywhere under /etc/systemd/system (the
# check works without systemd as PID 1, where systemctl is-enabled may not).
mapfile -t links < <(find /etc/systemd/system -name procinfo-exporter.service 2>/dev/null)
[[ ${#links[@]} -eq 0 ]] || fail "the unit is enabled after install: ${links[*]}"
# Not started: no process runs the packaged binary.
for p in /proc/[0-9]*; do
	[[ $(readlink "$p/exe" 2>/dev/null) != /usr/bin/procinfo-exporter ]] ||
		fail "procinfo-exporter is running after install (pid ${p#/proc/})"
done
verify_args=()
command -v man >/dev/null || verify_args+=(--man=no)
systemd-analyze verify "${verify_args[@]}" "$unit" >"$tmp/verify.log" 2>&1 ||
	{ cat "$tmp/verify.log"; fail "systemd-analyze verify $unit"; }
[[ $(procinfo-exporter --version) == "$version" ]] ||
	fail "procinfo-exporter --version says '$(procinfo-exporter --version)', not $version"
ok "procinfo-exporter $version: files, conffile, unit installed disabled and stopped, verify passes"

step "upgrade to procinfo-dkms $next_version"
apt_install "$tmp/upgrade.log" "${next_deb[0]}"
check_dkms "$next_version"
if dkms status -m procinfo -v "$version" 2>/dev/null | grep . >/dev/null; then
	fail "procinfo/$version is still in DKMS after the upgrade: $(dkms status -m procinfo -v "$version")"
fi
[[ ! -e /usr/src/procinfo-$version ]] || fail "/usr/src/procinfo-$version left after the upgrade"
ok "every flavour's modules are $next_version"

step "apt-get purge"
purge_all || fail "apt-get purge"
still=$(installed_packages | xargs)
[[ -z $still ]] || fail "still installed: $still"
shopt -s nullglob
leftovers=(/usr/src/procinfo-* /var/lib/dkms/procinfo
	/lib/modules/*/updates/dkms/sysinfo* /lib/modules/*/updates/dkms/continfo*
	/usr/lib/udev/rules.d/60-procinfo.rules /usr/share/doc/procinfo-dkms
	/usr/include/procinfo /usr/bin/procinfo-compare
	/usr/bin/procinfo-exporter /lib/systemd/system/procinfo-exporter.service
	/etc/default/procinfo-exporter /etc/systemd/system/multi-user.target.wants/procinfo-exporter.service
	/var/lib/systemd/deb-systemd-helper-enabled/procinfo-exporter.service.dsh-also)
existing=()
for f in "${leftovers[@]}"; do
	[[ -e $f ]] && existing+=("$f")
done
[[ ${#existing[@]} -eq 0 ]] || fail "left after purge: ${existing[*]}"
ok "nothing left"

echo "PASS: pkg.install in $((SECONDS - t0)) s"
