#!/bin/sh
# The shutdown's SIGKILL must leave nothing behind, as PID 1 and as a
# subreaper: not the children a leftover forks while it is being killed,
# and not a process whose main thread has ended while another thread lives
# on (its pid shows as a zombie, yet it is alive). The fault path, which
# kills the tree before exiting 70, must reach such a process too.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 14
# A bound well above grace + a few sweeps; valgrind keeps lib.sh's own.
[ -n "$MODINIT_WRAPPER" ] || LIMIT=20
KILLED='^modinit: warning: grace period of 300 ms over: sent SIGKILL to the remaining processes$'

# ns_sub [MODINIT ARGS...]: modinit as a subreaper (not PID 1): the child of
# a shell that is PID 1 of a new PID namespace, so that whatever modinit
# leaves behind dies with the namespace instead of outliving the test.
# After modinit has ended, prints "live=N": the live processes left in the
# namespace besides that shell. The status is modinit's (124: the bound).
ns_sub() {
	timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc sh -c '
		$MODINIT_WRAPPER "$MODINIT_BIN" "$@"
		rc=$?
		n=0
		for s in /proc/[0-9]*/stat; do
			[ "$s" = /proc/1/stat ] && continue
			read -r l <"$s" 2>/dev/null || continue
			l=${l##*") "}
			[ "${l%% *}" = Z ] || n=$((n + 1))
		done
		echo "live=$n"
		exit $rc' sh "$@"
}

# wait_dead PID [SECONDS]: wait until PID is reaped, or is a zombie with no
# thread left (field 20 of stat, num_threads: a zombie whose main thread
# alone has ended still counts its live threads there).
wait_dead() {
	[ -n "$1" ] || return 1
	_n=$(( ${2:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
		set -- "$1" $_st
		[ "$2" = Z ] && [ "${19}" -le 1 ] && return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# The main command starts the leftover, waits until it is ready and exits 3.
LEFT='"$0" "$@" & read x < "$2"; exit 3'
mkfifo "$WORK/f"

# (a) A leftover that ignores SIGTERM and forks all the time: the children
# forked while the SIGKILL sweep runs must be found by another sweep.
out=$(pid1 --grace 300ms -- sh -c "$LEFT" "$TESTCHILD" forkloop "$WORK/f" 300 2>&1)
expect_eq "PID 1, a leftover forking during the kill: ends with the main status" 3 "$?"
expect_match "after the grace" "$KILLED" "$out"
out=$(ns_sub --grace 300ms -- sh -c "$LEFT" "$TESTCHILD" forkloop "$WORK/f" 300 2>"$WORK/err")
expect_eq "subreaper, a leftover forking during the kill: ends with the main status" \
	"3|live=0" "$?|$out"
expect_match "after the grace" "$KILLED" "$(cat "$WORK/err")"

# (b) A leftover whose main thread has exited while another thread sleeps,
# ignoring SIGTERM: only SIGKILL ends it, after the grace.
out=$(pid1 --grace 300ms -- sh -c "$LEFT" "$TESTCHILD" thread-exit "$WORK/f" ignore-term 2>&1)
expect_eq "PID 1, a leftover with only a thread left: ends with the main status" 3 "$?"
expect_match "after the grace" "$KILLED" "$out"
out=$(ns_sub --grace 300ms -- sh -c "$LEFT" "$TESTCHILD" thread-exit "$WORK/f" ignore-term \
	2>"$WORK/err")
expect_eq "subreaper, a leftover with only a thread left: ends with the main status" \
	"3|live=0" "$?|$out"
expect_match "after the grace" "$KILLED" "$(cat "$WORK/err")"

# The same leftover obeying SIGTERM: the stop signal reaches it, so the run
# ends long before a grace of an hour, without SIGKILL.
out=$(ns_sub --grace 1h -- sh -c "$LEFT" "$TESTCHILD" thread-exit "$WORK/f" 2>"$WORK/err")
expect_eq "subreaper, the stop signal reaches a leftover with only a thread left" \
	"3|live=0" "$?|$out"
expect_nomatch "no SIGKILL was needed" 'SIGKILL' "$(cat "$WORK/err")"

# A shutdown a module asks for while the main command runs: the stop signal
# goes to the main command through the pipeline and to every other process
# directly, the thread-only one included (grace of an hour: not waited for).
cat >"$WORK/hc.yaml" <<EOC
modules:
  - name: healthcheck
    on_unhealthy: exit:5
    checks:
      - name: armed
        exec: [sh, -c, 'test ! -e $WORK/armed']
        interval: 100ms
        retries: 1
EOC
out=$(ns_sub --module-path "$MODINIT_MODDIR" --state-dir "$WORK" -c "$WORK/hc.yaml" --grace 1h -- \
	sh -c '"$0" thread-exit "$1" & read x < "$1"; touch "$2"; exec sleep 1000' \
	"$TESTCHILD" "$WORK/f" "$WORK/armed" 2>"$WORK/err")
expect_eq "a shutdown requested while the command runs stops a thread-only process too" \
	"5|live=0" "$?|$out"

# (c) A fault inside modinit as a subreaper: it kills its children before
# exiting 70, the thread-only one included.
if [ -n "$MODINIT_WRAPPER" ]; then
	# valgrind reports the deliberate invalid read of the crasher as an error.
	ok "# SKIP a deliberate crash cannot run clean under $MODINIT_WRAPPER"
	ok "# SKIP a deliberate crash cannot run clean under $MODINIT_WRAPPER"
	ok "# SKIP a deliberate crash cannot run clean under $MODINIT_WRAPPER"
elif need_dlopen 3; then
	printf 'modules:\n  - name: crasher\n' >"$WORK/crash.yaml"
	fifo ready
	bg_sub -q --module-path "$MODINIT_FIXTURES" -c "$WORK/crash.yaml" -- \
		"$TESTCHILD" thread-exit "$WORK/ready" ignore-term >/dev/null 2>"$WORK/err"
	child=$(get_line)
	child=${child#ready }
	kill -USR2 "$HOSTPID"
	wait "$BG"
	expect_eq "a fault as a subreaper: 70" 70 "$?"
	expect_match "with the fault's line" 'fatal SIGSEGV inside modinit' "$(cat "$WORK/err")"
	check "the command with only a thread left was killed with modinit" wait_dead "$child" 5
	kill -KILL "$child" 2>/dev/null # if it was not: no stray process after the test
	exec 3<&-
fi
finish
