# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.fields: every field of /proc/sysinfo_so1_202041390 equals what the
# kernel's own /proc says, for hostile names and command lines, a zombie,
# kernel threads and a multi-threaded CPU burner.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
spawn_hostile
burn=$(cpu-burn 4 2) || fail "cpu-burn failed"
info "cpu-burn 4 2: pid $burn"
STRICT="$STRICT,$burn"
# Read the driver's view of the burner before anything reads its
# /proc/<pid>/stat: that read updates the group's monotonic cputime
# (prev_cputime), which would hide a driver that misses live threads.
cat "$SYSINFO" >/tmp/first.json
snapshot_table /tmp/records "pid proc_jiffies cmdline_len flags nr_threads" --device
first_dev=$(table_get /tmp/records "$burn" proc_jiffies)

# Every listed process against /proc; the stopped ones field by field.
check "sysinfo JSON matches /proc (strict: hostile-spawn + cpu-burn)" \
	procinfo-check json "$SYSINFO" --strict-pids "$STRICT"

cat "$SYSINFO" >/tmp/sysinfo.json
J=/tmp/sysinfo.json
check "saved copy is a valid document" procinfo-check json "$J" --no-truth
jtable $J

# The hostile lines as the driver wrote them (non-printables shown by sed).
printf '%s\n%s\n' "$HOSTILE" "$burn" | awk 'NR == FNR { want["\"pid\": " $1 ","] = 1; next }
	match($0, /"pid": [0-9]+,/) && (substr($0, RSTART, RLENGTH) in want) { print substr($0, 1, 300) }' - "$J" | cat -v

# Names with quotes, backslashes, ')' and spaces; cut UTF-8.
assert_eq "$(jget "$(pid_of quote)" name $J)" 'q\"uo\\te' "quote name"
assert_eq "$(jget "$(pid_of paren)" name $J)" 'a) b (c) d)' "paren name"
assert_eq "$(jget "$(pid_of paren)" cmdline $J)" '(paren) x )   ( ' "paren cmdline"
assert_eq "$(jget "$(pid_of utf8)" name $J)" "ñandú→✓$FFFD$FFFD" "utf8 name cut inside the emoji"
assert_eq "$(jget "$(pid_of utf8)" cmdline $J)" "ñandú→✓😀 日本語 €" "utf8 cmdline"
assert_eq "$(jget "$(pid_of ctl)" cmdline $J)" \
	"$(printf 'ctl new\\nline tab\\there esc\\u001b[31mred \\u0001\\u0002\\u001f\177 cr\\u000d ff\\u000c bs\\u0008')" \
	"control bytes escaped"
assert_eq "$(jget "$(pid_of badutf8)" cmdline $J)" \
	"bad $FFFD $FFFD x$FFFD${FFFD}y $FFFD$FFFD$FFFD $FFFD$FFFD$FFFD$FFFD $FFFD( $FFFD$FFFD $FFFD$FFFD$FFFD$FFFD$FFFD ok$FFFD$FFFD$FFFD" \
	"invalid UTF-8: one U+FFFD per bad byte"
assert_eq "$(jget "$(pid_of longname)" name $J)" abcdefghijklmno "name cut at 15 bytes"
assert_eq "$(jget "$(pid_of emptyargs)" cmdline $J)" 'a  b' "empty arguments"
assert_eq "$(jget "$(pid_of emptyargv)" cmdline $J)" '' "empty argv"
ok "hostile names and command lines"

# 60 kB argument: 4096 raw bytes "bigarg\0" + 2044 x "é" + a lone 0xc3.
big=$(pid_of bigarg)
assert_eq "$(jget "$big" cmdline_len $J)" 4098 "bigarg decoded cmdline bytes (4095 + U+FFFD)"
jget "$big" cmdline $J | grep -q "éé$FFFD\$" || fail "bigarg cmdline does not end in é + U+FFFD"
assert_eq "$(table_get /tmp/records "$big" cmdline_len)" 4096 "bigarg device cmdline_len"
case $(table_get /tmp/records "$big" flags) in
*truncated*) ok "bigarg: PROCINFO_REC_CMDLINE_TRUNCATED" ;;
*) fail "bigarg: flags $(table_get /tmp/records "$big" flags) lack truncated" ;;
esac
case $(table_get /tmp/records "$(pid_of quote)" flags) in
*truncated*) fail "short cmdline flagged truncated" ;;
esac

# All threads count: the stopped burner's ticks are stat 14 + 15 exactly
# (checked above) and at least half of 4 threads x 2 s x USER_HZ.
hz=100
jif=$(jget "$burn" proc_jiffies /tmp/first.json)
stat_ticks=$(cut -d')' -f2 "/proc/$burn/stat" | awk '{ print $12 + $13 }')
info "cpu-burn 4 2: proc_jiffies $jif (device $first_dev) before any stat read, stat 14+15: $stat_ticks, $(cut -d')' -f2 "/proc/$burn/stat" | awk '{ print "utime " $12 " stime " $13 " threads " $18 }')"
assert_eq "$jif" "$stat_ticks" "cpu-burn: first JSON proc_jiffies vs stat 14+15"
assert_eq "$first_dev" "$stat_ticks" "cpu-burn: first device cpu_ticks vs stat 14+15"
[ "$jif" -ge $((4 * 2 * hz / 2)) ] || fail "cpu-burn proc_jiffies $jif < $((4 * 2 * hz / 2)): not every thread counted"
assert_eq "$(table_get /tmp/records "$burn" nr_threads)" 5 "cpu-burn nr_threads"
ok "multi-threaded CPU time: $jif ticks"

# The zombie and its stopped parent.
z=$(pid_of zombie)
assert_eq "$(jget "$z" state $J)" Z "zombie state"
assert_eq "$(jget "$z" cmdline $J)" "" "zombie cmdline"
assert_eq "$(jget "$z" vsz_kb $J)" 0 "zombie vsz_kb"
assert_eq "$(jget "$z" rss_kb $J)" 0 "zombie rss_kb"
assert_eq "$(jget "$z" name $J)" "zombie kid" "zombie name"
assert_eq "$(jget "$(pid_of zparent)" state $J)" T "zombie parent state"
ok "zombie: Z, no cmdline, no memory"
assert_eq "$(jget "$(pid_of traced)" state $J)" t "traced process state (tracing stop)"

# Kernel threads: kthreadd is pid 2; no cmdline, no memory.
assert_eq "$(jget 2 name $J)" kthreadd "pid 2 name"
assert_eq "$(jget 2 cmdline $J)" "" "kthreadd cmdline"
assert_eq "$(jget 2 vsz_kb $J)" 0 "kthreadd vsz_kb"
assert_eq "$(jget 2 rss_kb $J)" 0 "kthreadd rss_kb"
kthreads=$(grep -c '"cmdline": "", "vsz_kb": 0, "rss_kb": 0, "mem_pct": "0.00"' $J)
[ "$kthreads" -ge 10 ] || fail "only $kthreads processes without cmdline and memory"
ok "kernel threads: $kthreads entries without cmdline or memory"

# pid 1 is the guest's init, with a command line and memory.
[ "$(jget 1 vsz_kb $J)" -gt 0 ] || fail "pid 1 vsz_kb is 0"
[ -n "$(jget 1 cmdline $J)" ] || fail "pid 1 cmdline is empty"

# The same for the containers view.
check "continfo JSON matches /proc" procinfo-check json "$CONTINFO" --strict-pids "$STRICT"

unload_modules
pass "fields"
