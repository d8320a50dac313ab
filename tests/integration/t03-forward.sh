#!/bin/sh
# Signal forwarding as PID 1: each of the usual signals and a real-time one
# sent to PID 1 is seen by the child; with -g the whole process group gets
# them, a grandchild included.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 17

rtmin=$("$TESTCHILD" rtmin)
sigs="HUP INT QUIT USR1 USR2 ALRM WINCH CONT TERM"
fifo sig
bg_pid1 -- "$TESTCHILD" signals "$WORK/sig" 10
line=$(get_line)
expect_match "the child is ready" '^ready [0-9]+$' "$line"
for s in $sigs; do
	num=$(signum "$s")
	kill -s "$s" "$HOSTPID"
	expect_eq "SIG$s sent to PID 1 reaches the child" "$num" "$(get_line)"
done
kill -$((rtmin + 3)) "$HOSTPID"
expect_eq "SIGRTMIN+3 sent to PID 1 reaches the child" $((rtmin + 3)) "$(get_line)"
wait "$BG"
expect_eq "the child exits 0 after its 10 signals, and so does modinit" 0 "$?"
exec 3<&-
rm -f "$WORK/sig"

# -g: the main command is a shell running a background testchild in its
# own process group. The shell answers SIGUSR1 by sending SIGUSR2 to the
# testchild, so the first signal that testchild records tells who got the
# USR1: with -g the whole group (10, queued before the shell's 12 and, being
# lower, delivered first), without -g the shell alone (12). The second wait
# lets the testchild finish; shells differ in what it returns, hence exit 6.
group_case() {
	fifo grp
	bg_pid1 "$@" -- sh -c '"$0" signals "$1" 1 & c=$!
		trap "kill -USR2 $c" USR1
		echo armed >"$1"
		wait $c; wait $c; exit 6' "$TESTCHILD" "$WORK/grp" 2>/dev/null
	lines="$(get_line) $(get_line)"
	kill -USR1 "$HOSTPID"
	first=$(get_line)
	wait "$BG"
	rc=$?
	exec 3<&-
	rm -f "$WORK/grp"
}
group_case -g
expect_match "the shell and its testchild are both ready" '^(armed ready|ready [0-9]+ armed)' "$lines"
expect_eq "with -g, SIGUSR1 reaches a grandchild in the child's group" "$(signum USR1)" "$first"
expect_eq "and the run ends with the shell's status (6)" 6 "$rc"
group_case
expect_eq "without -g, only the child gets SIGUSR1 (the grandchild sees the shell's USR2)" \
	"$(signum USR2)" "$first"
expect_eq "and the run ends with the shell's status (6)" 6 "$rc"
finish
