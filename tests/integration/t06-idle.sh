#!/bin/sh
# An idle modinit never wakes up: its count of voluntary context switches
# does not move while its child sleeps. A count, not a timing.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
if [ -n "$MODINIT_WRAPPER" ]; then
	# Under valgrind the process is valgrind's scheduler, which wakes on
	# its own; the count would measure valgrind, not modinit.
	skip_all "context switches under $MODINIT_WRAPPER measure the wrapper"
fi
plan 3

switches() { awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$1/status"; }

fifo ready
bg_pid1 -- "$TESTCHILD" ready "$WORK/ready"
get_line >/dev/null
wait_idle "$HOSTPID" # modinit done with its start, asleep in epoll_wait
before=$(switches "$HOSTPID")
sleep 3 # the window observed, not a synchronisation
after=$(switches "$HOSTPID")
expect_eq "no wakeup in 3 idle seconds (voluntary switches $before -> $after)" "$before" "$after"

# The counter does move when there is work: a signal to forward.
kill -USR1 "$HOSTPID"
wait "$BG"
expect_eq "the forwarded SIGUSR1 ends the child (128+10)" 138 "$?"
check "the count was read" test -n "$before"
finish
