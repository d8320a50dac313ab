#!/bin/sh
# The benchmark: modinit (bare, and with three modules), and the static
# modinit when one is given, against tini, dumb-init and catatonit, each as
# PID 1 of a fresh PID namespace, with the same workloads, runs interleaved
# (A B C D E F A B C D E F ...), several repetitions; prints a table of
# medians and spreads and writes OUT/results.json plus a PNG chart per
# metric (when gnuplot is there).
#
#   bench/run.sh MODINIT MODULE_DIR MODBENCH OUT [STATIC_MODINIT]
#
# STATIC_MODINIT: a static modinit (the check program modinit-static, or a
# modinit built with --enable-static-binary); without it, or empty, that
# column stays empty.
# Sizes (environment): BENCH_REPS (5), BENCH_LAUNCHES (2000),
# BENCH_ORPHANS (20000), BENCH_SIGNALS (5000), BENCH_IDLE (10 seconds),
# BENCH_BARE (500 launches of each init, timed one by one, for the bare
# start-up).
# Needs root (unshare) and python3; installs the peers with apt-get if
# they are missing.
set -eu
MODINIT=$1 MODDIR=$2 MODBENCH=$3 OUT=$4 STATIC=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
REPS=${BENCH_REPS:-5}
LAUNCHES=${BENCH_LAUNCHES:-2000}
ORPHANS=${BENCH_ORPHANS:-20000}
SIGNALS=${BENCH_SIGNALS:-5000}
IDLE=${BENCH_IDLE:-10}
BARE=${BENCH_BARE:-500}
if [ -n "$STATIC" ] && ! [ -x "$STATIC" ]; then
	echo "bench: $STATIC is not an executable" >&2
	exit 1
fi

missing=
for p in tini dumb-init catatonit; do command -v $p >/dev/null || missing="$missing $p"; done
command -v gnuplot >/dev/null || missing="$missing gnuplot-nox"
if [ -n "$missing" ] && command -v apt-get >/dev/null; then
	echo "bench: installing$missing" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi
for p in tini dumb-init catatonit python3; do
	command -v $p >/dev/null || { echo "bench: $p is missing" >&2; exit 1; }
done

mkdir -p "$OUT"
RAW=$OUT/raw.txt
: >"$RAW"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The inits, and the words that run a command under each.
INITS="tini dumb-init catatonit modinit modinit+3${STATIC:+ modinit-static}"
prefix() {
	case $1 in
	tini) echo "$(command -v tini) --" ;;
	dumb-init) echo "$(command -v dumb-init)" ;;
	catatonit) echo "$(command -v catatonit) --" ;;
	modinit) echo "$MODINIT --" ;;
	modinit-static) echo "$STATIC --" ;;
	modinit+3) echo "$MODINIT --module-path $MODDIR --state-dir $WORK/state -c $HERE/three-modules.yaml --" ;;
	esac
}
binary() {
	case $1 in
	modinit-static) echo "$STATIC" ;;
	modinit*) echo "$MODINIT" ;;
	*) command -v "$1" ;;
	esac
}
NS="unshare --pid --fork --kill-child --mount-proc"
rec() { echo "$1 $2 $3" >>"$RAW"; } # metric init value

child_of() {
	for _i in $(seq 1 2000); do
		_c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || _c=
		[ -n "$_c" ] && { set -- $_c; echo "$1"; return 0; }
		sleep 0.005
	done
	return 1
}

# A binary linked a moment ago (make bench relinks what changed) stays
# dirty in the page cache until written back, and smaps counts the dirty
# file pages a process alone maps as its Private_Dirty: write them out.
sync
for rep in $(seq 1 "$REPS"); do
	echo "bench: repetition $rep of $REPS" >&2
	# 1. Start-up overhead against the same launch without an init.
	base=$("$MODBENCH" launch "$LAUNCHES" unshare --pid --fork /bin/true)
	for i in $INITS; do
		t=$("$MODBENCH" launch "$LAUNCHES" unshare --pid --fork $(prefix $i) /bin/true)
		rec startup_us "$i" "$(python3 -c "print(round($t - $base, 1))")"
	done
	# 1b. Bare start-up: `INIT -- /bin/true` as it is, outside a
	# namespace, each launch timed on its own, in rounds of 10 launches of
	# each init in turn (so that a busy spell of the machine falls on all
	# of them); the median launch.
	for i in none $INITS; do : >"$WORK/bare-$i"; done
	for _r in $(seq 1 $(( (BARE + 9) / 10 ))); do
		"$MODBENCH" launcheach 10 /bin/true >>"$WORK/bare-none"
		for i in $INITS; do
			"$MODBENCH" launcheach 10 $(prefix $i) /bin/true >>"$WORK/bare-$i"
		done
	done
	for i in none $INITS; do
		rec startup_bare_us "$i" "$(sort -n "$WORK/bare-$i" |
			awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
	done

	# 2, 3. Idle wakeups and memory: every init at once over one window.
	pids=
	for i in $INITS; do
		$NS $(prefix $i) sleep 100000 &
		u=$!
		pids="$pids $i:$u"
	done
	sleep 1
	hosts=
	for e in $pids; do
		i=${e%%:*} u=${e#*:}
		h=$(child_of "$u")
		hosts="$hosts $i:$h"
		v=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$h/status)
		echo "$v" >"$WORK/v0-$i"
		awk -v i="$i" '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_Dirty:/ {d=$2}
			END {print "rss_kb " i " " r; print "pss_kb " i " " p; print "private_dirty_kb " i " " d}' \
			/proc/$h/smaps_rollup >>"$RAW"
	done
	sleep "$IDLE"
	for e in $hosts; do
		i=${e%%:*} h=${e#*:}
		v=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$h/status)
		rec idle_wakeups "$i" $((v - $(cat "$WORK/v0-$i")))
		kill -TERM "$h"
	done
	wait

	for i in $INITS; do
		# 4. Reaping throughput.
		r=$($NS $(prefix $i) "$MODBENCH" orphans "$ORPHANS")
		rec reap_ms "$i" "$(echo "$r" | sed 's/.*ms=\([0-9.]*\).*/\1/')"
		rec reap_max_zombies "$i" "$(echo "$r" | sed 's/.*maxzombies=\([0-9]*\).*/\1/')"

		# 5. Signal forwarding latency and queued real-time signals.
		shm=$WORK/shm-$i
		rm -f "$shm"
		truncate -s 4096 "$shm"
		$NS $(prefix $i) "$MODBENCH" sigchild "$shm" &
		u=$!
		h=$(child_of "$u")
		r=$("$MODBENCH" siglat "$h" "$shm" "$SIGNALS")
		kill -KILL "$h" 2>/dev/null || true
		wait "$u" 2>/dev/null || true
		rec signal_p50_us "$i" "$(echo "$r" | sed 's/.*p50=\([0-9]*\).*/\1/')"
		rec signal_p99_us "$i" "$(echo "$r" | sed 's/.*p99=\([0-9]*\).*/\1/')"
		rec rt_arrived "$i" "$(echo "$r" | sed 's/.*rt=\([0-9]*\).*/\1/')"
		rec signals_lost "$i" "$(echo "$r" | sed 's/.*lost=\([0-9]*\).*/\1/')"

		# 6. Shutdown latency.
		rec shutdown_us "$i" "$("$MODBENCH" shutdown $NS $(prefix $i) sleep 100000)"
	done
done

# 7. Sizes.
for i in tini dumb-init catatonit modinit${STATIC:+ modinit-static}; do
	rec binary_bytes "$i" "$(stat -L -c %s "$(binary $i)")"
done
for m in "$MODDIR"/*.so; do
	rec module_bytes "$(basename "$m" .so)" "$(stat -L -c %s "$m")"
done

python3 "$HERE/report.py" "$RAW" "$OUT"
