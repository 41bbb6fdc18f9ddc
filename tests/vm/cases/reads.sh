# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.reads: one open, one snapshot — reads of any size, 1-byte reads,
# lseek/pread at odd offsets all give the same valid document; concurrent
# readers while processes come and go all get valid documents; N reads of
# each file and N snapshots keep no memory.
# ARGS: [N [WARMUP [SECONDS]]] (default 300 20 10; SECONDS of concurrent reads)
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

N=${1:-300}
WARMUP=${2:-20}
secs=${3:-10}

load_modules
spawn_hostile

# stable_lines FILE: the lines of the hostile (stopped) processes, in one
# pass (a grep per pid costs ~50 processes per document: minutes on the
# debug kernel).
stable_lines() {
	echo "$HOSTILE" | awk 'NR == FNR { want["\"pid\": " $1 ","] = 1; next }
		match($0, /"pid": [0-9]+,/) && (substr($0, RSTART, RLENGTH) in want)' - "$1"
}

for f in "$SYSINFO" "$CONTINFO"; do
	base=${f##*/}
	view=all
	[ "$f" = "$CONTINFO" ] && view=containers
	cat "$f" >"/tmp/$base.cat"
	check "$base: cat copy valid" procinfo-check json "/tmp/$base.cat" --no-truth --view $view
	stable_lines "/tmp/$base.cat" >"/tmp/$base.stable"
	[ "$f" = "$CONTINFO" ] || [ -s "/tmp/$base.stable" ] || fail "$base lists none of the hostile processes"
	for bs in 1 7 4095 4097 65536; do
		dd if="$f" of="/tmp/$base.$bs" bs=$bs 2>/dev/null || fail "dd bs=$bs $f"
		procinfo-check json "/tmp/$base.$bs" --no-truth --view "$view" >"/tmp/check.out" ||
			{ cat /tmp/check.out; fail "$base read with bs=$bs is not a valid document"; }
		# The stopped processes' lines are stable: byte-identical.
		stable_lines "/tmp/$base.$bs" >"/tmp/$base.$bs.stable"
		cmp -s "/tmp/$base.stable" "/tmp/$base.$bs.stable" || {
			diff "/tmp/$base.stable" "/tmp/$base.$bs.stable"
			fail "$base bs=$bs: the lines of the stopped processes differ from a cat's"
		}
	done
	ok "$base: dd bs=1/7/4095/4097/65536 give valid documents, stable lines identical"
	check "$base: pread/lseek at odd offsets = the first read of the same open" \
		pread-check "$f"
done

# 4 concurrent readers (2 sysinfo, 1 continfo, 1 device) for $secs s while
# processes come and go.
end=$(($(date +%s) + secs))
(
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		sh -c 'exit 0'
		/bin/true &
		n=$((n + 1))
	done
	wait
	echo "churn: $n short-lived processes"
) &
churn=$!
readers=
for i in 1 2 3 4; do
	if [ $i -eq 4 ]; then
		(
			n=0
			while [ "$(date +%s)" -lt "$end" ]; do
				procinfo-check device --no-truth >/tmp/r4.out ||
					{ cat /tmp/r4.out; exit 1; }
				n=$((n + 1))
			done
			echo "reader 4 (device): $n snapshots validated"
		) &
		readers="$readers $!"
		continue
	fi
	if [ $i -eq 2 ]; then
		f=$CONTINFO view=containers
	else
		f=$SYSINFO view=all
	fi
	(
		n=0
		while [ "$(date +%s)" -lt "$end" ]; do
			for _ in 1 2 3 4 5 6 7; do
				cat "$f" >/dev/null || { echo "reader $i: cat failed"; exit 1; }
			done
			cat "$f" >"/tmp/r$i.json" || { echo "reader $i: cat failed"; exit 1; }
			procinfo-check json "/tmp/r$i.json" --no-truth --view $view >"/tmp/r$i.out" ||
				{ cat "/tmp/r$i.out"; cp "/tmp/r$i.json" "/tmp/r$i.bad"; exit 1; }
			n=$((n + 1))
		done
		echo "reader $i (${f##*/}): $((n * 8)) reads, $n validated"
	) &
	readers="$readers $!"
done
bad=0
for p in $readers; do
	wait "$p" || bad=$((bad + 1))
done
wait "$churn"
[ "$bad" -eq 0 ] || fail "$bad concurrent reader(s) got an invalid document"
ok "4 concurrent readers for ${secs}s: every document valid"

# No memory kept per open or per snapshot: N of each, free memory back.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemFree/ { print $2 }' /proc/meminfo
}
procinfo-check time --skip-walk --iterations "$WARMUP" >/dev/null
free0=$(memfree)
procinfo-check time --skip-walk --iterations "$N" >/dev/null ||
	fail "$N reads/snapshots failed"
free1=$(memfree)
size=$(($(wc -c <"$SYSINFO") / 1024))
info "MemFree $free0 -> $free1 KiB after $N reads of each file and $((2 * N)) snapshots (document $size KiB)"
[ $((free0 - free1)) -lt 4096 ] ||
	fail "$((free0 - free1)) KiB less free memory after $N reads/snapshots: a leak?"
ok "no memory lost over $N reads of each file and $((2 * N)) device snapshots"

check "sysinfo still matches /proc afterwards" \
	procinfo-check json "$SYSINFO" --strict-pids "$STRICT"
unload_modules
pass "reads"
