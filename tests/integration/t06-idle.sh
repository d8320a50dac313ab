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
plan 6

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

# The same with every bundled module loaded but exec (the other mode) and
# nothing due: the pre-start hook done, a sidecar asleep, the health probe
# an hour away, the notify socket and the endpoint quiet.
cat >"$WORK/all.yaml" <<YAML
modules:
  - name: wait-all-children
  - name: signal-remap
    map: {SIGHUP: SIGTERM}
  - name: exit-code
    map: {143: 0}
  - name: user
    user: "0"
  - name: hooks
    pre_start:
      - [/bin/true]
  - name: notify
    socket: abstract
  - name: services
    services:
      - name: idle
        command: [sleep, "1000"]
  - name: healthcheck
    checks:
      - name: later
        exec: [/bin/true]
        interval: 1h
YAML
mkdir -m 700 "$WORK/st"
fifo ready
bg_pid1 --module-path "$MODINIT_MODDIR" --state-dir "$WORK/st" -c "$WORK/all.yaml" -- \
	"$TESTCHILD" ready "$WORK/ready" 2>"$WORK/err"
get_line >/dev/null
wait_idle "$HOSTPID"
before=$(switches "$HOSTPID")
sleep 3 # the window observed, not a synchronisation
after=$(switches "$HOSTPID")
expect_eq "every module loaded, nothing due: no wakeup in 3 idle seconds ($before -> $after)" \
	"$before" "$after"
kill -USR1 "$HOSTPID"
wait "$BG"
expect_eq "USR1 to every process (wait-all-children) ends the run with 138" 138 "$?"
expect_eq "and nothing was logged above info" "" "$(grep -Ev '^modinit: info:' "$WORK/err")"
finish
