#!/bin/sh
# The two problems every container init exists for, as PID 1 of a new PID
# namespace: a program without signal handlers must still be stopped by the
# SIGTERM/SIGINT sent to PID 1, and orphans must not pile up as zombies.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 6

# A child with no handler at all: the kernel gives PID 1 no default action,
# so only forwarding can stop it. The debug log says how the child ended:
# 143 alone could also come from a modinit that gave up and killed it.
fifo ready
bg_pid1 -v -- "$TESTCHILD" ready "$WORK/ready" 2>"$WORK/err"
line=$(get_line)
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "SIGTERM to PID 1 stops a child without handlers (128+15)" 143 "$?"
expect_match "the child itself was killed by the forwarded SIGTERM" \
	"^modinit: debug: main command \(pid ${line#ready }\) killed by SIGTERM$" "$(cat "$WORK/err")"

bg_pid1 -v -- "$TESTCHILD" ready "$WORK/ready" 2>"$WORK/err"
line=$(get_line)
kill -INT "$HOSTPID"
wait "$BG"
expect_eq "SIGINT to PID 1 stops a child without handlers (128+2)" 130 "$?"
expect_match "the child itself was killed by the forwarded SIGINT" \
	"^modinit: debug: main command \(pid ${line#ready }\) killed by SIGINT$" "$(cat "$WORK/err")"

# A program that keeps starting detached background jobs: each sleep is
# orphaned when its shell exits and becomes PID 1's to reap. Counted from
# /proc inside the namespace once every sleep has finished.
out=$(pid1 -- sh "$MODINIT_SRCDIR/tests/helpers/spawner.sh" 30 2>/dev/null)
expect_eq "the main command's status is passed on" 0 "$?"
expect_eq "no zombie is left after 30 detached background jobs" "zombies=0" "$out"
finish
