#!/bin/sh
# Outside a PID namespace modinit registers as child subreaper: orphans of
# the command are re-parented to it and reaped, and at shutdown it signals
# only its own descendants, never everything it could reach with kill(-1).
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
plan 7

# A bystander outside modinit's tree, which kill(-1) would hit.
sleep 1000 &
bystander=$!

mkfifo "$WORK/orphan" "$WORK/go"
fifo main
bg_sub -- sh -c '
	sh -c "\"\$0\" ready \"\$1\" & exit 0" "$0" "$1"   # orphaned at once
	sleep 1000 & echo $! >"$3"                         # left at the end
	read x < "$2"                                      # wait for the test
	exit 4' "$TESTCHILD" "$WORK/orphan" "$WORK/go" "$WORK/leftover" 2>"$WORK/err"
exec 4<>"$WORK/orphan"
orphan=$(timeout 10 sh -c 'IFS= read -r l && echo "$l"' <&4)
orphan=${orphan#ready }
ppid=$(sed 's/^.*) //' "/proc/$orphan/stat" | cut -d' ' -f2)
expect_eq "the orphan is re-parented to modinit" "$HOSTPID" "$ppid"

# The orphan dies; modinit must reap it at once.
kill -KILL "$orphan"
check "modinit reaps the orphan (its pid disappears)" wait_reaped "$orphan" 5
expect_eq "no zombie child of modinit is left" 0 "$(zombies_of "$HOSTPID")"

echo go >"$WORK/go"
wait "$BG"
expect_eq "modinit ends with the command's status" 4 "$?"
expect_eq "and says once that it became a subreaper" \
	"modinit: info: not PID 1: registered as a child subreaper" "$(cat "$WORK/err")"
# The shutdown did signal something: the command's leftover sleep.
leftover=$(cat "$WORK/leftover")
check "modinit's own leftover is gone (stopped: no escalation was logged above)" wait_gone "$leftover" 5
check "a process outside modinit's tree is left alone at shutdown" kill -0 "$bystander"
kill -KILL "$leftover" 2>/dev/null
finish
