#!/bin/sh
# A fault inside modinit itself (here a module that dereferences NULL when
# SIGUSR2 arrives) must not leave a half-dead container: modinit kills the
# process tree and exits 70 with a message.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
if [ -n "$MODINIT_WRAPPER" ]; then
	# valgrind catches the SIGSEGV itself and reports the (deliberate)
	# invalid read as an error; the behaviour is tested without it.
	skip_all "a deliberate crash cannot run clean under $MODINIT_WRAPPER"
fi
plan 5

printf 'modules:\n  - name: crasher\n' >"$WORK/crash.yaml"

fifo ready
bg_pid1 --module-path "$MODINIT_FIXTURES" -c "$WORK/crash.yaml" -- "$TESTCHILD" ready "$WORK/ready" >/dev/null 2>"$WORK/err"
get_line >/dev/null
kill -USR2 "$HOSTPID"
wait "$BG"
expect_eq "a fault in PID 1 exits 70" 70 "$?"
expect_eq "with one line saying so" \
	"modinit: error: fatal SIGSEGV inside modinit; killing every process and exiting with 70" \
	"$(cat "$WORK/err")"

# As a subreaper the kernel would not clean up after us: the child must be
# killed by modinit itself.
exec 3<&-; rm -f "$WORK/ready"
fifo ready
bg_sub -q --module-path "$MODINIT_FIXTURES" -c "$WORK/crash.yaml" -- "$TESTCHILD" ready "$WORK/ready" >/dev/null 2>"$WORK/err"
child=$(get_line)
child=${child#ready }
kill -USR2 "$HOSTPID"
wait "$BG"
expect_eq "as a subreaper too: 70" 70 "$?"
check "the command was killed with modinit" wait_gone "$child" 5
kill -KILL "$child" 2>/dev/null # if it was not: no stray process after the test
expect_match "the message names the signal" 'fatal SIGSEGV inside modinit' "$(cat "$WORK/err")"
finish
