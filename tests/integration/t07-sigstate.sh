#!/bin/sh
# The command gets exactly the signal mask and dispositions modinit
# inherited, while modinit itself still forwards a signal it inherited as
# ignored.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 6

usr1=$(signum USR1)
usr2=$(signum USR2)
hup=$(signum HUP)

# testchild setsig prints the state it hands to modinit on stderr; the
# command prints what it got on stdout.
given=$(timeout 10 unshare --pid --fork --kill-child --mount-proc \
	"$TESTCHILD" setsig ignore=$usr1,$hup block=$usr2 -- \
	$MODINIT_WRAPPER "$MODINIT_BIN" -- "$TESTCHILD" sigstate 2>"$WORK/before")
expect_eq "the command runs" 0 "$?"
expect_eq "the command gets the mask and ignored set modinit inherited" \
	"$(cat "$WORK/before")" "$given"
# has_sig FIELD SIGNUM TEXT: the signal's bit is set in the /proc field.
has_sig() {
	_hex=$(printf '%s\n' "$3" | awk -v f="$1:" '$1 == f {print $2}')
	[ -n "$_hex" ] && [ $(( (0x$_hex >> ($2 - 1)) & 1 )) -eq 1 ]
}
check "the command inherits SIGUSR1 and SIGHUP ignored" \
	eval 'has_sig SigIgn $usr1 "$given" && has_sig SigIgn $hup "$given"'
check "and SIGUSR2 blocked" has_sig SigBlk $usr2 "$given"

# With nothing set up by the test: the command sees exactly what modinit
# was started with (printed by setsig, which changes nothing here).
plain=$(timeout 10 unshare --pid --fork --kill-child --mount-proc "$TESTCHILD" setsig -- \
	$MODINIT_WRAPPER "$MODINIT_BIN" -- "$TESTCHILD" sigstate 2>"$WORK/before")
expect_eq "with nothing special inherited, the command sees what modinit had" \
	"$(cat "$WORK/before")" "$plain"

# USR1 inherited as ignored by modinit: still forwarded. The child catches
# it with its own handler.
fifo sig
timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc \
	"$TESTCHILD" setsig ignore=$usr1 -- $MODINIT_WRAPPER "$MODINIT_BIN" -- \
	"$TESTCHILD" signals "$WORK/sig" 1 2>/dev/null &
BG=$!
HOSTPID=$(child_of "$(child_of "$BG")")
get_line >/dev/null
kill -USR1 "$HOSTPID"
expect_eq "a signal modinit inherited as ignored is still forwarded" "$usr1" "$(get_line)"
wait "$BG"
finish
