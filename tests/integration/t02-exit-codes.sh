#!/bin/sh
# Exit statuses as PID 1: every code 0..255 passes through unchanged, a
# signal that kills the command becomes 128+N, and a command that cannot be
# run gives 127 (missing) or 126 (not executable) with a line saying why.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 13

# Every code through the real binary. Under valgrind (make check-valgrind)
# a run costs a second or more, so there a spread of codes stands for all.
if [ -n "$MODINIT_WRAPPER" ]; then codes="0 1 2 3 64 126 127 128 129 200 254 255"; else codes=$(seq 0 255); fi
bad=
for c in $codes; do
	pid1 -- sh -c "exit $c" 2>/dev/null
	got=$?
	[ "$got" -eq "$c" ] || bad="$bad $c->$got"
done
expect_eq "exit codes pass through unchanged ($(echo $codes | wc -w) codes)" "" "$bad"

for s in HUP:1 INT:2 KILL:9 USR1:10 SEGV:11 TERM:15; do
	name=${s%:*}
	num=${s#*:}
	pid1 -- sh -c "kill -$name \$\$" 2>/dev/null
	expect_eq "a command killed by SIG$name ends modinit with 128+$num" $((128 + num)) "$?"
done

# A shell's $? says 143 for both "exited 143" and "killed by SIGTERM": ask
# waitpid. modinit exits normally with 128+N, it does not die of the signal.
out=$(timeout -k 5 "$LIMIT" "$TESTCHILD" run $MODINIT_WRAPPER "$MODINIT_BIN" -q -- \
	sh -c 'kill -TERM $$' 2>/dev/null)
expect_eq "as a subreaper, modinit exits 143 itself (not killed by the signal)" "exit 143" "$out"

err=$(pid1 -- "$WORK/no-such-command" 2>&1 >/dev/null)
expect_eq "a missing command exits 127" 127 "$?"
expect_eq "and says why, naming the command" \
	"modinit: error: cannot run '$WORK/no-such-command': No such file or directory" "$err"

printf '#!/bin/sh\nexit 0\n' >"$WORK/not-executable"
chmod 0644 "$WORK/not-executable"
err=$(pid1 -- "$WORK/not-executable" 2>&1 >/dev/null)
expect_eq "a command that is not executable exits 126" 126 "$?"
expect_eq "and says why, naming the command" \
	"modinit: error: cannot run '$WORK/not-executable': Permission denied" "$err"

# A directory on the way that is a file: ENOTDIR counts as missing.
err=$(pid1 -- "$WORK/not-executable/x" 2>&1 >/dev/null)
expect_eq "a path through a file exits 127 with the reason" \
	"127|modinit: error: cannot run '$WORK/not-executable/x': Not a directory" "$?|$err"
finish
