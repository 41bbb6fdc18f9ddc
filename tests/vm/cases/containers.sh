# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.containers: container identity. Plain processes (no keyword in their
# command line) are moved into cgroups shaped as each runtime names them;
# one runs in a new pid namespace; a host "dockerd" sits outside any
# container cgroup. The device must report each one's cgroup path,
# runtime, container id, pod uid and reasons (checked against
# /proc/<pid>/cgroup and /proc/<pid>/ns/pid for every process, and by
# name here); continfo's rule= picks what its file lists; a process moved
# between containers during reads never shows a torn or foreign id.
# ARGS: [MOVE_READS] (default 150, from one reader process)
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

MOVE_READS=${1:-150}
CG=/sys/fs/cgroup
[ -e $CG/cgroup.procs ] || fail "no cgroup2 at $CG"
load_modules

H1=$(printf '%064d' 0 | tr 0 a)
H2=$(printf '%064d' 0 | tr 0 b)
H3=$(printf '%064d' 0 | tr 0 c)
H4=$(printf '%064d' 0 | tr 0 d)
H5=$(printf '%064d' 0 | tr 0 e)
H6=$(printf '%064d' 0 | tr 0 f)
POD=1b4e28ba-2fa1-11d2-883f-0016d3cca427
POD_=$(echo $POD | tr - _)

# run_in CGROUP: a sleeper moved into $CG/CGROUP; prints its pid
run_in() {
	mkdir -p "$CG/$1" || fail "mkdir $CG/$1"
	# not holding $(...)'s pipe open
	sleep 600 >/dev/null 2>&1 &
	echo $! >"$CG/$1/cgroup.procs" || fail "move into $1"
	echo $!
}
# The identity checks below read one snapshot's table (/tmp/identity).
expect() {	# PID FIELD VALUE
	got=$(table_get /tmp/identity "$1" "$2") || fail "no record for pid $1"
	[ "$got" = "$3" ] || fail "pid $1 $2: got '$got', want '$3' (cgroup $(table_get /tmp/identity "$1" cgroup))"
}
container() {	# PID RUNTIME ID POD
	got=$(table_get /tmp/identity "$1" runtime container_id pod_uid reasons) ||
		fail "no record for pid $1"
	want=$(printf '%s\n%s\n%s\ncgroup' "$2" "$3" "$4")
	[ "$got" = "$want" ] || fail "pid $1 runtime, container_id, pod_uid, reasons: got" \
		"'$(echo "$got" | tr '\n' ' ')', want '$(echo "$want" | tr '\n' ' ')' (cgroup $(table_get /tmp/identity "$1" cgroup))"
}

docker_systemd=$(run_in "system.slice/docker-$H1.scope")
docker_cgroupfs=$(run_in "docker/$H2")
cri=$(run_in "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$POD_.slice/cri-containerd-$H3.scope")
kube_cgroupfs=$(run_in "kubepods/besteffort/pod$POD/$H4")
podman=$(run_in "machine.slice/libpod-$H5.scope/container")
crio=$(run_in "system.slice/crio-$H6.scope")
lxc=$(run_in "lxc.payload.web1")
nspawn=$(run_in 'machine.slice/machine-my\x2dbox.scope')
conmon=$(run_in "machine.slice/libpod-conmon-$H5.scope")
unit=$(run_in "system.slice/docker.service")
# a host daemon whose command line has a keyword, outside any container
mkdir -p $CG/system.slice/containerd.service
sh -c 'sleep 600; : dockerd' &
dockerd=$!
echo $dockerd >$CG/system.slice/containerd.service/cgroup.procs
unshare -p -f sleep 600 &
sleep 1
innerns=$(ps -o pid,ppid,args | awk -v p=$! '$2 == p && /sleep 600/ { print $1 }')
[ -n "$innerns" ] || fail "no process in the new pid namespace"

snapshot_table /tmp/identity "pid runtime container_id pod_uid reasons cgroup" --device
container "$docker_systemd" 1 "$H1" ""
container "$docker_cgroupfs" 1 "$H2" ""
container "$cri" 2 "$H3" "$POD"
container "$kube_cgroupfs" 2 "$H4" "$POD"
container "$podman" 4 "$H5" ""
container "$crio" 3 "$H6" ""
container "$lxc" 5 web1 ""
container "$nspawn" 6 my-box ""
expect "$docker_systemd" cgroup "/system.slice/docker-$H1.scope"
for p in $conmon $unit; do
	got=$(table_get /tmp/identity "$p" runtime reasons) || fail "no record for pid $p"
	[ "$got" = "$(printf '0\n-')" ] || fail "pid $p runtime, reasons: got '$(echo "$got" | tr '\n' ' ')', want '0 -'"
done
expect "$dockerd" reasons keyword
expect "$dockerd" runtime 0
expect "$innerns" reasons pidns
ok "every runtime's shape, the near-misses, keyword and pid namespace"
procinfo-devdump -c -w 40 | head -n 20

check "every record's identity against /proc/<pid>/cgroup and ns/pid" \
	procinfo-check device --json "$SYSINFO"

# The SDK and procinfo-ps on the same processes: one row per container the
# case made, each holding its one sleeper.
procinfo-ps --source device --by-container --width 0 >/tmp/by-container ||
	fail "procinfo-ps --by-container: exit $?"
cat /tmp/by-container
procinfo-ps --source device --by-container --json >/tmp/by-container.json ||
	fail "procinfo-ps --by-container --json: exit $?"
cat /tmp/by-container.json
row() {	# RUNTIME ID POD PID: the JSON row of one container
	if [ -n "$3" ]; then pod="\"$3\""; else pod=null; fi
	grep -qF "{\"runtime\": \"$1\", \"container_id\": \"$2\", \"pod_uid\": $pod, \"pids\": [$4], " \
		/tmp/by-container.json || fail "--by-container --json: no row $1 $2 pod $3 pids [$4]"
	# the table: docker ps's 12-digit short id, 1 process named sleep
	short=$(printf %.12s "$2")
	case $2 in *[!0-9a-f]*) short=$2 ;; esac
	grep -Eq "^$1 +$short +(${3:--}) +1 .* sleep$" /tmp/by-container ||
		fail "--by-container table: no row '$1 $short ${3:--} 1 ... sleep'"
}
row docker "$H1" "" "$docker_systemd"
row docker "$H2" "" "$docker_cgroupfs"
row containerd "$H3" "$POD" "$cri"
row containerd "$H4" "$POD" "$kube_cgroupfs"
row podman "$H5" "" "$podman"
row crio "$H6" "" "$crio"
row lxc web1 "" "$lxc"
nspawn_name=my-box
row nspawn "$nspawn_name" "" "$nspawn"
assert_eq "$(grep -c '"runtime": ' /tmp/by-container.json)" 8 "containers listed by --by-container"
ok "procinfo-ps --by-container: the 8 containers, their pods and processes"

procinfo-ps --source device --containers --json >/tmp/containers.json ||
	fail "procinfo-ps --containers --json: exit $?"
identity() {	# PID IDENTITY-KEYS: the process object ends with them
	grep -q "^    { \"pid\": $1, \"name\": .*, \"state\": \"[A-Za-z]\", $2 }" /tmp/containers.json || {
		grep "\"pid\": $1," /tmp/containers.json
		fail "--containers --json: pid $1 lacks: $2"
	}
}
identity "$docker_systemd" "\"cgroup\": \"/system.slice/docker-$H1.scope\", \"runtime\": \"docker\", \"container_id\": \"$H1\", \"pod_uid\": null, \"reasons\": \[\"cgroup\"\]"
identity "$cri" "\"cgroup\": \"/kubepods.slice/.*/cri-containerd-$H3.scope\", \"runtime\": \"containerd\", \"container_id\": \"$H3\", \"pod_uid\": \"$POD\", \"reasons\": \[\"cgroup\"\]"
identity "$dockerd" "\"cgroup\": \"/system.slice/containerd.service\", \"runtime\": null, \"container_id\": null, \"pod_uid\": null, \"reasons\": \[\"keyword\"\]"
identity "$innerns" "\"cgroup\": \"[^\"]*\", \"runtime\": null, \"container_id\": null, \"pod_uid\": null, \"reasons\": \[\"pidns\"\]"
grep -q "\"pid\": $unit," /tmp/containers.json && fail "--containers --json lists docker.service's process"
# --rule: the SDK filters the device's union by the reasons
rule_pids() {	# RULE
	procinfo-ps --source device --containers --rule "$1" --no-header -o pid | tr -d ' ' | tr '\n' ' '
}
keyword_pids=" $(rule_pids keywords) "
case $keyword_pids in
*" $dockerd "*) ;;
*) fail "--rule keywords lacks the host's dockerd" ;;
esac
case $keyword_pids in *" $docker_systemd "*) fail "--rule keywords lists a plain container process" ;; esac
cgroup_pids=" $(rule_pids cgroup) "
case $cgroup_pids in *" $dockerd "*) fail "--rule cgroup lists the host's dockerd" ;; esac
for p in $lxc $nspawn $innerns; do
	case $cgroup_pids in *" $p "*) ;; *) fail "--rule cgroup lacks pid $p:$cgroup_pids" ;; esac
done
ok "procinfo-ps --containers --json identity keys, --rule keywords|cgroup"

# The driver's classification against procfs's (same matcher, the paths and
# namespaces read from /proc), field by field, both views.
check "procinfo-compare device procfs" procinfo-compare device procfs
check "procinfo-compare device procfs --view containers" \
	procinfo-compare device procfs --view containers

# continfo's rule
listed() {	# RULE PID: does continfo list PID under RULE?
	echo "$1" >/sys/module/continfo/parameters/rule || fail "rule=$1 refused"
	grep -q "\"pid\": $2," "$CONTINFO"
}
listed keywords "$dockerd" || fail "rule=keywords lacks the keyword process"
listed keywords "$docker_systemd" && fail "rule=keywords lists a plain process in a container"
listed cgroup "$docker_systemd" || fail "rule=cgroup lacks the docker container"
listed cgroup "$innerns" || fail "rule=cgroup lacks the pid namespace"
listed cgroup "$dockerd" && fail "rule=cgroup lists the host's dockerd"
listed both "$dockerd" || fail "rule=both lacks the keyword process"
listed both "$lxc" || fail "rule=both lacks the lxc container"
echo nonsense >/sys/module/continfo/parameters/rule 2>/dev/null && fail "rule=nonsense accepted"
assert_eq "$(cat /sys/module/continfo/parameters/rule)" both "rule after a refused value"
ok "continfo rule=keywords|cgroup|both"

# A process moved between two containers while snapshots are taken: each
# record's id is the container its own path names, never torn.
mover=$(run_in "system.slice/docker-$H1.scope")
rm -f /tmp/stop
(
	while [ ! -e /tmp/stop ]; do
		echo "$mover" >"$CG/docker/$H2/cgroup.procs"
		echo "$mover" >"$CG/system.slice/docker-$H1.scope/cgroup.procs"
	done
) &
flipper=$!
# one reader process, a new snapshot per read
procinfo-check get "$mover" identity --device --repeat "$MOVE_READS" >/tmp/moves ||
	fail "no record of the moving process"
n=0
seen=
while read -r id; do
	case $id in
	"/system.slice/docker-$H1.scope $H1") seen="$seen a" ;;
	"/docker/$H2 $H2") seen="$seen b" ;;
	*) fail "moving process: path and id '$id'" ;;
	esac
	n=$((n + 1))
done </tmp/moves
assert_eq "$n" "$MOVE_READS" "reads of the moving process"
touch /tmp/stop
wait $flipper
case $seen in *a*b* | *b*a*) ;; *) fail "the process was never seen in both containers ($seen)" ;; esac
ok "$n reads of a process moving between containers: whole paths, each with its own id"
pass "containers"
