#!/bin/sh
# What is left when the main command exits: processes that obey SIGTERM end
# at once and do not hold modinit up; one that ignores SIGTERM gets SIGKILL
# when the grace period is over. modinit ends with the main status.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 7

# A leftover that obeys TERM, and a grace far longer than the bound on the
# whole run: waiting out the grace would hit the bound (status 124).
LIMIT=20 pid1 --grace 1h -- sh -c 'sleep 1000 & exit 5' 2>/dev/null
expect_eq "a leftover obeying SIGTERM does not delay the exit (status 5, not the bound)" 5 "$?"

fifo lo
out=$(LIMIT=20 pid1 --grace 300ms -- sh -c '"$0" ignore-term "$1" & read x < "$1"; exit 7' \
	"$TESTCHILD" "$WORK/lo" 2>&1)
expect_eq "a leftover ignoring SIGTERM is killed after the grace (status 7)" 7 "$?"
expect_match "the escalation is logged" \
	'^modinit: warning: grace period of 300 ms over: sent SIGKILL to the remaining processes$' "$out"
exec 3<&-; rm -f "$WORK/lo"

# The same as a subreaper, where no namespace dies with modinit: check that
# the leftover is really gone afterwards. Kept off the TAP pipe, so that a
# leftover that survived cannot hold the test harness open.
mkfifo "$WORK/sub"
sub --grace 300ms -- sh -c '"$0" ignore-term "$1" & read x < "$1"; echo "$x" > "$2"; exit 9' \
	"$TESTCHILD" "$WORK/sub" "$WORK/left" >/dev/null 2>&1
rc=$?
left=$(cat "$WORK/left")
left=${left#ready }
expect_eq "as a subreaper, the main status is kept (9)" 9 "$rc"
check "the leftover that ignored SIGTERM is gone" wait_gone "$left" 5
kill -KILL "$left" 2>/dev/null # if it was not: no stray process after the test

# A process that obeys TERM: no SIGKILL escalation is logged.
out=$(LIMIT=20 pid1 --grace 30s -- sh -c 'sleep 1000 & exit 0' 2>&1)
expect_eq "exit 0 with an obedient leftover" 0 "$?"
expect_nomatch "no SIGKILL is needed for an obedient leftover" 'SIGKILL' "$out"
finish
