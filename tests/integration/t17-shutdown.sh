#!/bin/sh
# The shutdown sequence, as PID 1: leftovers get the configured stop signal,
# then SIGKILL after the configured grace; the docker-stop chain end to end:
# SIGTERM to PID 1, forwarded (remapped), the main command exits, leftovers
# get the stop signal, SIGKILL after the grace, exit with the main status.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
# signum NAME: the signal's number, by asking kill -l for the name of each
# number (bash's kill -l also maps names to numbers, dash's does not).
# Never empty: an unknown name must not compare equal to a missing line.
signum() {
	_i=1
	while [ "$_i" -lt 65 ]; do
		[ "$(kill -l "$_i" 2>/dev/null)" = "$1" ] && { echo "$_i"; return; }
		_i=$((_i + 1))
	done
	echo "unknown-signal-$1"
}
need_root_ns
plan 14
MP="--module-path $MODINIT_MODDIR"
KILLED='^modinit: warning: grace period of 300 ms over: sent SIGKILL to the remaining processes$'

# The leftover reports each signal and needs two to exit: one stop signal,
# then only SIGKILL can end it. The main command waits for it to be ready
# (reading its first line) and exits 6.
fifo sd
printf 'shutdown: {signal: SIGINT, grace: 300ms}\n' >"$WORK/s.yaml"
out=$(pid1 -c "$WORK/s.yaml" -- sh -c '"$0" signals "$1" 2 & read x < "$1"; exit 6' \
	"$TESTCHILD" "$WORK/sd" 2>&1)
expect_eq "the main status is kept (6)" 6 "$?"
expect_eq "the leftover got the configured stop signal (SIGINT)" "$(signum INT)" "$(get_line 2)"
expect_eq "and nothing else it could catch (no SIGTERM)" "" "$(get_line 1)"
expect_match "SIGKILL after the configured grace" "$KILLED" "$out"
exec 3<&-; rm -f "$WORK/sd"

# --grace on the command line wins over the config's.
fifo gr
printf 'shutdown: {grace: 1h}\n' >"$WORK/g.yaml"
out=$(LIMIT=20 pid1 -c "$WORK/g.yaml" --grace 300ms -- sh -c \
	'"$0" ignore-term "$1" & read x < "$1"; exit 4' "$TESTCHILD" "$WORK/gr" 2>&1)
expect_eq "--grace 300ms over the config's 1h (status 4, not the bound)" 4 "$?"
expect_match "the escalation came after 300 ms" "$KILLED" "$out"
exec 3<&-; rm -f "$WORK/gr"

# docker stop: TERM to PID 1 is remapped to USR1 for the main command only;
# it exits 7; the leftover then gets the stop signal (TERM), ignores its
# first one, and is killed after the grace.
cat >"$WORK/ds.yaml" <<'EOC'
shutdown: {grace: 300ms}
modules:
  - name: signal-remap
    map: {SIGTERM: SIGUSR1}
EOC
fifo ds
bg_pid1 $MP -c "$WORK/ds.yaml" -- sh -c '
	trap "exit 7" USR1
	"$0" signals "$1" 2 &
	echo main-ready > "$1"
	while :; do sleep 0.05; done' "$TESTCHILD" "$WORK/ds" 2>"$WORK/err"
r=$(get_line; get_line)
expect_match "both ready" '^ready [0-9]+$' "$(printf '%s\n' "$r" | grep -v main-ready)"
kill -TERM "$HOSTPID"
expect_eq "the leftover gets the stop signal (TERM), after the main command ended" \
	"$(signum TERM)" "$(get_line 5)"
wait "$BG"
expect_eq "the container ends with the main status (7, from the remapped signal)" 7 "$?"
expect_eq "the leftover never saw the signal meant for the main command" "" "$(get_line 1)"
expect_match "and was killed after the grace" "$KILLED" "$(cat "$WORK/err")"
exec 3<&-; rm -f "$WORK/ds"

# wait-all-children with map {SIGTERM: SIGQUIT}: the stop goes through the
# map for every process, each gets SIGQUIT once and no SIGTERM; both need a
# second signal, so SIGKILL ends them after the grace (main status 137).
cat >"$WORK/wq.yaml" <<'EOC'
mode: wait-all-children
shutdown: {grace: 300ms}
modules:
  - name: signal-remap
    map: {SIGTERM: SIGQUIT}
EOC
fifo wq
bg_pid1 $MP -c "$WORK/wq.yaml" -- sh -c 'setsid "$0" signals "$1" 2 & exec "$0" signals "$1" 2' \
	"$TESTCHILD" "$WORK/wq" 2>"$WORK/err"
get_line >/dev/null; get_line >/dev/null
kill -TERM "$HOSTPID"
got="$(get_line 5)|$(get_line 5)"
wait "$BG"
rc=$?
expect_eq "every process gets the mapped stop signal once, then SIGKILL (137)" \
	"$(signum QUIT)|$(signum QUIT)|137|" "$got|$rc|$(get_line 1)"
exec 3<&-

# The same stop with a main command that has no handler: it dies of the
# forwarded TERM (143), and an obedient leftover needs no SIGKILL.
fifo ob
bg_pid1 --grace 30s -- sh -c '"$0" signals "$1" 1 & exec "$0" ready "$1"' \
	"$TESTCHILD" "$WORK/ob" 2>"$WORK/err"
get_line >/dev/null; get_line >/dev/null
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "docker stop of a command without handlers: 143" 143 "$?"
expect_nomatch "an obedient leftover ends without SIGKILL" 'SIGKILL' "$(cat "$WORK/err")"
exec 3<&-
finish
