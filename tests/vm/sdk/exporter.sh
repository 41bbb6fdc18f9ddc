# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-exporter: procinfo-exporter on the live driver. It picks the
# device by itself; promtool check metrics passes on its scrapes; host
# memory and process counts agree with /proc; processes moved into a
# docker and a Kubernetes cgroup are their containers' series, a CPU
# burner's counter grows, a container whose processes all exit leaves no
# series; the modules unloaded mid-run give a counted error and a 200 with
# the exporter's own metrics, and it recovers when they are loaded again.
# With PROCESSES, it then spawns to that many and times scrapes against the
# snapshot time the exporter reports (the closing figures of issue 14).
# ARGS: [PROCESSES] (default 0: no timing)
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

PROCESSES=${1:-0}
CG=/sys/fs/cgroup
PORT=9356
[ -e $CG/cgroup.procs ] || fail "no cgroup2 at $CG"
load_modules

H1=$(printf '%064d' 0 | tr 0 a)
H2=$(printf '%064d' 0 | tr 0 b)
POD=1b4e28ba-2fa1-11d2-883f-0016d3cca427
DOCKER="runtime=\"docker\",container_id=\"$H1\",pod_uid=\"\""
KUBE="runtime=\"containerd\",container_id=\"$H2\",pod_uid=\"$POD\""

# run_in CGROUP CMD...: CMD in the background, moved into $CG/CGROUP
run_in() {
	_cg=$1
	shift
	mkdir -p "$CG/$_cg" || fail "mkdir $CG/$_cg"
	"$@" >/dev/null 2>&1 &
	echo $! >"$CG/$_cg/cgroup.procs" || fail "move into $_cg"
	LAST=$!
}
run_in "system.slice/docker-$H1.scope" sleep 600
sleeper=$LAST
run_in "system.slice/docker-$H1.scope" sh -c 'while :; do :; done'
burner=$LAST
run_in "kubepods/besteffort/pod$POD/$H2" sleep 600
podproc=$LAST

# scrape FILE: the metrics into FILE; fails unless the answer is 200 (by
# nc: the static busybox's wget crashes resolving the address)
scrape() {
	printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' |
		nc -w 30 127.0.0.1 $PORT >/tmp/response || fail "nc to port $PORT failed"
	head -n 1 /tmp/response | grep -q '^HTTP/1\.[01] 200 ' ||
		fail "no 200 for /metrics: $(head -n 1 /tmp/response)"
	sed '1,/^\r*$/d' /tmp/response >"$1"
	[ -s "$1" ] || fail "an empty scrape"
}
value() {	# FILE SERIES
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}
expect_value() {	# FILE SERIES VALUE
	_got=$(value "$1" "$2")
	[ "$_got" = "$3" ] || fail "$2: got '${_got:-absent}', want '$3'"
}
lint() {	# FILE
	promtool check metrics <"$1" >/tmp/promtool.out 2>&1 || {
		cat /tmp/promtool.out
		fail "promtool check metrics on $1"
	}
	! grep -q procinfo_ /tmp/promtool.out || fail "promtool remarks: $(cat /tmp/promtool.out)"
	ok "promtool check metrics: $1"
}

# as the unit runs it: an unprivileged user, the default address (su
# execs, so $! is the exporter)
su -s /bin/sh nobody -c 'exec procinfo-exporter' >/tmp/exporter.out 2>/tmp/exporter.log &
exporter=$!
i=0
until grep -q 'listening on 127.0.0.1:9356' /tmp/exporter.log; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the exporter did not start: $(cat /tmp/exporter.log)"
	kill -0 $exporter 2>/dev/null || fail "the exporter exited: $(cat /tmp/exporter.log)"
	sleep 0.1
done
grep -q '^procinfo-exporter: reading device (view all)$' /tmp/exporter.log ||
	fail "the exporter did not choose the device: $(cat /tmp/exporter.log)"

scrape /tmp/s1
t1=$(stamp)
lint /tmp/s1
expect_value /tmp/s1 'procinfo_source_info{source="device"}' 1
expect_value /tmp/s1 procinfo_scrape_errors_total 0
total_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
expect_value /tmp/s1 procinfo_memory_total_bytes "$((total_kb * 1024))"
expect_value /tmp/s1 "procinfo_container_processes{$DOCKER}" 2
expect_value /tmp/s1 "procinfo_container_processes{$KUBE}" 1
for s in R S D T t X Z P I; do
	grep -q "^procinfo_processes{state=\"$s\"} [0-9]" /tmp/s1 || fail "no procinfo_processes{state=\"$s\"}"
done
listed=$(awk '/^procinfo_processes\{/ { n += $2 } END { print n }' /tmp/s1)
now=$(nproc_now)
if [ $((listed - now)) -gt 5 ] || [ $((now - listed)) -gt 5 ]; then
	fail "procinfo_processes sum to $listed, /proc lists $now"
fi
ok "procinfo_processes: $listed processes (/proc: $now)"
rss_kb=$(($(awk '/^VmRSS:/ { print $2 }' /proc/$sleeper/status) + $(awk '/^VmRSS:/ { print $2 }' /proc/$burner/status)))
got=$(value /tmp/s1 "procinfo_container_resident_memory_bytes{$DOCKER}")
if [ "$got" -lt $(((rss_kb - 64) * 1024)) ] || [ "$got" -gt $(((rss_kb + 64) * 1024)) ]; then
	fail "docker container RSS $got bytes, /proc says $rss_kb kB"
fi
ok "docker container RSS $got bytes (/proc: $rss_kb kB)"

# The burner's container counter grows; CPU time in seconds.
cpu1=$(value /tmp/s1 "procinfo_container_cpu_seconds_total{$DOCKER}")
sleep 2
scrape /tmp/s2
t2=$(stamp)
cpu2=$(value /tmp/s2 "procinfo_container_cpu_seconds_total{$DOCKER}")
# one busy thread: at most the wall time between the scrapes (and the
# scrapes' own 10 ms steps), at least a fair share of it
awk -v a="$cpu1" -v b="$cpu2" -v t="$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')" \
	'BEGIN { exit !(b - a >= t / 4 && b - a <= t + 0.5) }' ||
	fail "docker container CPU went from $cpu1 to $cpu2 s over $t1..$t2 s of uptime with a burner"
ok "docker container CPU $cpu1 -> $cpu2 s (uptime $t1 -> $t2 s)"

# The burner exits: the count drops, the counter does not go back; the
# pod's only process exits: its series go.
kill $burner $podproc
wait $burner $podproc 2>/dev/null
scrape /tmp/s3
lint /tmp/s3
expect_value /tmp/s3 "procinfo_container_processes{$DOCKER}" 1
cpu3=$(value /tmp/s3 "procinfo_container_cpu_seconds_total{$DOCKER}")
awk -v a="$cpu2" -v b="$cpu3" 'BEGIN { exit !(b >= a) }' ||
	fail "the docker counter went back from $cpu2 to $cpu3 when a process exited"
! grep -q "$H2" /tmp/s3 || fail "the pod's container is still exported: $(grep "$H2" /tmp/s3)"
ok "no stale series; counter $cpu2 -> $cpu3 s"

# The modules go away (the exporter holds nothing open between scrapes).
unload_modules
scrape /tmp/s4
lint /tmp/s4
expect_value /tmp/s4 procinfo_scrape_errors_total 1
expect_value /tmp/s4 'procinfo_source_info{source="device"}' 1
! grep -q '^procinfo_processes' /tmp/s4 || fail "process metrics without a source"
grep -q 'cannot read a snapshot: /dev/procinfo' /tmp/exporter.log ||
	fail "the failure is not logged: $(cat /tmp/exporter.log)"
ok "modules unloaded: 200, error counted"
load_modules
scrape /tmp/s5
expect_value /tmp/s5 procinfo_scrape_errors_total 1
expect_value /tmp/s5 "procinfo_container_processes{$DOCKER}" 1
grep -q 'is readable again' /tmp/exporter.log || fail "the recovery is not logged"
ok "modules loaded again: recovered"

if [ "$PROCESSES" -gt 0 ]; then
	spawn_to "$PROCESSES" bench-spawn
	scrape /tmp/warm
	# Timed by the exporter itself, not through nc and busybox: prometheus-cpp
	# adds each request's serving time (microseconds) to
	# exposer_request_latencies_sum after answering it, so a scrape shows
	# the previous one's, next to that one's snapshot time.
	sum=$(value /tmp/warm exposer_request_latencies_sum)
	snap=$(value /tmp/warm procinfo_scrape_duration_seconds)
	for round in 1 2 3 4 5; do
		scrape /tmp/big
		next_sum=$(value /tmp/big exposer_request_latencies_sum)
		n=$(awk '/^procinfo_processes\{/ { n += $2 } END { print n }' /tmp/big)
		awk -v a="$sum" -v b="$next_sum" -v s="$snap" -v n="$n" -v r="$round" 'BEGIN {
			t = (b - a) / 1000
			printf "exporter timing %d: %d processes: scrape served in %.1f ms, snapshot %.1f ms, +%.1f ms\n",
				r, n, t, s * 1000, t - s * 1000 }'
		sum=$next_sum
		snap=$(value /tmp/big procinfo_scrape_duration_seconds)
	done
	lint /tmp/big
fi

kill $exporter
wait $exporter || fail "the exporter's exit status on SIGTERM: $?"
grep -q 'stopping on TERM' /tmp/exporter.log || fail "no stop logged"
kill $sleeper 2>/dev/null
pass "sdk-exporter"
