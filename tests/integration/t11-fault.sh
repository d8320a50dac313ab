#!/bin/sh
# A fault inside modinit itself (here a module that dereferences NULL when
# SIGUSR2 arrives) must not leave a half-dead container: modinit kills the
# process tree and exits 70 with a message. The same holds during setup.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
if [ -n "$MODINIT_WRAPPER" ]; then
	# valgrind catches the SIGSEGV itself and reports the (deliberate)
	# invalid read as an error; the behaviour is tested without it.
	skip_all "a deliberate crash cannot run clean under $MODINIT_WRAPPER"
fi
so_only "faults are injected by fixture modules"
plan 13
FAULTY=$MODINIT_BUILDDIR/tests/fixtures/faulty/.libs

# usr2 MODE YAML [FLAGS...]: run modinit (bg_pid1 or bg_sub) with the config
# YAML over a command that waits, send it SIGUSR2, and set rc (modinit's
# status) and child (the command's pid).
usr2() {
	_mode=$1 _yaml=$2
	shift 2
	exec 3<&-; rm -f "$WORK/ready"
	fifo ready
	bg_$_mode "$@" --module-path "$MODINIT_FIXTURES" --module-path "$FAULTY" -c "$_yaml" -- "$TESTCHILD" ready "$WORK/ready" \
		>/dev/null 2>"$WORK/err"
	child=$(get_line)
	child=${child#ready }
	kill -USR2 "$HOSTPID"
	wait "$BG"
	rc=$?
}

printf 'modules:\n  - name: crasher\n' >"$WORK/crash.yaml"
usr2 pid1 "$WORK/crash.yaml"
expect_eq "a fault in PID 1 exits 70" 70 "$rc"
expect_eq "with one line saying so" \
	"modinit: error: fatal SIGSEGV inside modinit; killing every process and exiting with 70" \
	"$(cat "$WORK/err")"

# As a subreaper the kernel would not clean up after us: the child must be
# killed by modinit itself.
usr2 sub "$WORK/crash.yaml" -q
expect_eq "as a subreaper too: 70" 70 "$rc"
check "the command was killed with modinit" wait_gone "$child" 5
kill -KILL "$child" 2>/dev/null # if it was not: no stray process after the test
expect_match "the message names the signal" 'fatal SIGSEGV inside modinit' "$(cat "$WORK/err")"

# abort() inside modinit (a failed assertion) is a crash as well: SIGABRT
# that modinit sent itself, unlike one sent by another process (t42).
printf 'modules:\n  - name: aborter\n' >"$WORK/abort.yaml"
usr2 pid1 "$WORK/abort.yaml"
expect_eq "abort() in PID 1: 70 and the line" \
	"70|modinit: error: fatal SIGABRT inside modinit; killing every process and exiting with 70" \
	"$rc|$(cat "$WORK/err")"
usr2 sub "$WORK/abort.yaml" -q
wait_gone "$child" 5
expect_eq "abort() as a subreaper: 70, the command killed with modinit" "70|0" "$rc|$?"
kill -KILL "$child" 2>/dev/null

# A fault while the modules are being set up is a fault inside modinit too,
# whether it happens in init, in a constructor (run by dlopen, before any
# hook) or as a stack overflow: 70 and the line, and the command never runs.
line="modinit: error: fatal SIGSEGV inside modinit; killing every process and exiting with 70"
for mod in init-crash ctor-crash init-overflow; do
	printf 'modules:\n  - name: %s\n' "$mod" >"$WORK/setup.yaml"
	rm -f "$WORK/ran"
	pid1 --module-path "$FAULTY" -c "$WORK/setup.yaml" -- touch "$WORK/ran" \
		>/dev/null 2>"$WORK/err"
	rc=$?
	[ -e "$WORK/ran" ] && ran=ran || ran=
	expect_eq "$mod as PID 1: 70, the line, nothing run" "70|$line|" "$rc|$(cat "$WORK/err")|$ran"
	sub -q --module-path "$FAULTY" -c "$WORK/setup.yaml" -- touch "$WORK/ran" \
		>/dev/null 2>"$WORK/err"
	rc=$?
	[ -e "$WORK/ran" ] && ran=ran || ran=
	expect_eq "$mod as a subreaper: 70, the line, nothing run" "70|$line|" "$rc|$(cat "$WORK/err")|$ran"
done
finish
