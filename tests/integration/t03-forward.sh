#!/bin/sh
# Signal forwarding as PID 1: each of the usual signals and a real-time one
# sent to PID 1 is seen by the child; with -g the whole process group gets
# them, a grandchild included.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 13

rtmin=$("$TESTCHILD" rtmin)
sigs="HUP INT QUIT USR1 USR2 ALRM WINCH CONT TERM"
fifo sig
bg_pid1 -- "$TESTCHILD" signals "$WORK/sig" 10
line=$(get_line)
expect_match "the child is ready" '^ready [0-9]+$' "$line"
for s in $sigs; do
	num=$(kill -l "$s")
	kill -s "$s" "$HOSTPID"
	expect_eq "SIG$s sent to PID 1 reaches the child" "$num" "$(get_line)"
done
kill -$((rtmin + 3)) "$HOSTPID"
expect_eq "SIGRTMIN+3 sent to PID 1 reaches the child" $((rtmin + 3)) "$(get_line)"
wait "$BG"
expect_eq "the child exits 0 after its 10 signals, and so does modinit" 0 "$?"
exec 3<&-
rm -f "$WORK/sig"

# -g: the main command is a shell that ignores USR1 and waits for a
# background testchild in its process group; only the group gets USR1 to it.
fifo grp
bg_pid1 -g -- sh -c 'trap "" USR1; "$0" signals "$1" 1 & wait $!' "$TESTCHILD" "$WORK/grp"
get_line >/dev/null
kill -USR1 "$HOSTPID"
expect_eq "with -g, SIGUSR1 reaches a grandchild in the child's group" "$(kill -l USR1)" "$(get_line)"
wait "$BG"
finish
