#!/bin/sh
# The modes: wait-all-children keeps reaping until every process is gone and
# keeps the main command's status; its stop signal reaches everyone with the
# same grace/SIGKILL escalation; outside a namespace "all" means modinit's
# descendants. exec makes the command PID 1 and is refused with a module
# that needs a running init.
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
plan 22
MP="--module-path $MODINIT_MODDIR"

# The main command exits 3 at once; a background job finishes later with 9.
pid1 $MP -m wait-all-children -- sh -c \
	'(sleep 0.3; echo finished > "$0"; exit 9) & exit 3' "$WORK/marker" 2>/dev/null
expect_eq "wait-all-children exits with the main command's status, not the last one's" 3 "$?"
expect_eq "after the background job had finished" finished "$(cat "$WORK/marker" 2>/dev/null)"

# The same through the config file.
printf 'mode: wait-all-children\n' >"$WORK/wa.yaml"
rm -f "$WORK/marker"
pid1 $MP -c "$WORK/wa.yaml" -- sh -c \
	'(sleep 0.3; echo finished > "$0"; exit 9) & exit 4' "$WORK/marker" 2>/dev/null
expect_eq "mode: wait-all-children in the config does the same" "4|finished" "$?|$(cat "$WORK/marker" 2>/dev/null)"

# Stop signal: every process gets it; the one that ignores it is killed
# after the grace; the status is the main command's (killed by TERM).
fifo ready
bg_pid1 $MP -m wait-all-children --grace 300ms -- sh -c \
	'"$0" ignore-term "$1" & exec "$0" ready "$1"' "$TESTCHILD" "$WORK/ready" 2>"$WORK/err"
get_line >/dev/null
get_line >/dev/null
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "a stop signal ends every process; the main status is 128+15" 143 "$?"
expect_match "the process ignoring it was killed after the grace" \
	'grace period of 300 ms over: sent SIGKILL' "$(cat "$WORK/err")"
exec 3<&-; rm -f "$WORK/ready"

# As PID 1, an ordinary signal reaches every process in the namespace: the
# main command and a process in a session of its own (outside the main
# command's group, so neither a pid nor a group forward would reach it).
fifo all
bg_pid1 -q $MP -m wait-all-children -- sh -c \
	'setsid "$0" signals "$1" 1 & exec "$0" signals "$1" 1' "$TESTCHILD" "$WORK/all"
r1=$(get_line); r2=$(get_line)
kill -USR1 "$HOSTPID"
got=$(get_line 5)
got2=$(get_line 5)
wait "$BG"
expect_eq "a signal reaches the main command and a process in another session" \
	"0|ready|ready|$(signum USR1)|$(signum USR1)" "$?|${r1%% *}|${r2%% *}|$got|$got2"
exec 3<&-

# The stop signal goes to every process at once, not only after the main
# command is gone: the main command ignores it and keeps running, a process
# in another session reports it. The grace then ends with SIGKILL for all,
# the main command included (128+9).
fifo stop
bg_pid1 $MP -m wait-all-children --grace 300ms -- sh -c \
	'setsid "$0" signals "$1" 2 & exec "$0" ignore-term "$1"' "$TESTCHILD" "$WORK/stop" \
	2>"$WORK/err"
get_line >/dev/null
get_line >/dev/null
kill -TERM "$HOSTPID"
expect_eq "the stop signal reaches a process in another session while the main one runs" \
	"$(signum TERM)" "$(get_line 5)"
wait "$BG"
expect_eq "SIGKILL after the grace ends the main command too (128+9)" 137 "$?"
expect_eq "the other process got the stop signal once, not twice" "" "$(get_line 1)"
expect_match "and the escalation is logged" \
	'^modinit: warning: grace period of 300 ms over: sent SIGKILL to the remaining processes$' \
	"$(cat "$WORK/err")"
exec 3<&-

# As a subreaper: "all" is modinit's descendants. A grandchild catches the
# forwarded USR1; a process outside, which USR1 would kill, is untouched.
sleep 1000 &
bystander=$!
fifo sig
bg_sub -q $MP -m wait-all-children -- sh -c \
	'trap "" USR1; "$0" signals "$1" 1 & wait' "$TESTCHILD" "$WORK/sig"
get_line >/dev/null
kill -USR1 "$HOSTPID"
expect_eq "a signal goes to every descendant (a grandchild here)" "$(signum USR1)" "$(get_line)"
wait "$BG"
expect_eq "and the main status is kept" 0 "$?"
check "a process outside modinit's tree is not signalled" kill -0 "$bystander"

# exec: the command replaces modinit and is PID 1 itself.
out=$(pid1 $MP -m exec -- sh -c 'echo $$' 2>/dev/null)
expect_eq "in exec mode the command is PID 1" 1 "$out"
pid1 $MP -m exec -- sh -c 'exit 6' 2>/dev/null
expect_eq "and its status is the container's" 6 "$?"

err=$(pid1 $MP -m exec -r TERM:QUIT -- true 2>&1)
rc=$?
expect_eq "exec with a module that needs a running init is refused (78), naming both" \
	"78|modinit: error: module \"signal-remap\" needs a running init, but \"exec\" replaces modinit with the command" \
	"$rc|$err"
printf 'mode: exec\nmodules:\n  - name: signal-remap\n    map: {TERM: QUIT}\n' >"$WORK/ex.yaml"
err=$("$MODINIT_BIN" $MP --check-config -c "$WORK/ex.yaml" 2>&1)
rc=$?
expect_eq "--check-config refuses it too" \
	"78|modinit: error: module \"signal-remap\" needs a running init, but \"exec\" replaces modinit with the command" \
	"$rc|$err"

# The same refusal for a fixture module with a runtime hook, from a config
# naming it next to mode: exec, both by --check-config and at start (where
# nothing may be spawned).
if need_dlopen 3; then
	printf 'mode: exec\nmodules:\n  - name: needs-live\n' >"$WORK/nl.yaml"
	NL="modinit: error: module \"needs-live\" needs a running init, but \"exec\" replaces modinit with the command"
	err=$("$MODINIT_BIN" $MP --module-path "$MODINIT_FIXTURES" --check-config -c "$WORK/nl.yaml" 2>&1)
	expect_eq "--check-config refuses exec with needs-live" "78|$NL" "$?|$err"
	err=$(pid1 $MP --module-path "$MODINIT_FIXTURES" -c "$WORK/nl.yaml" -- touch "$WORK/spawned" 2>&1)
	expect_eq "and so does the start" "78|$NL" "$?|$err"
	check "before anything was spawned" test ! -e "$WORK/spawned"
fi
err=$("$MODINIT_BIN" $MP -m exec -r TERM:QUIT --check-config 2>&1)
expect_eq "--check-config refuses -m exec -r TERM:QUIT from the command line alone" \
	"78|modinit: error: module \"signal-remap\" needs a running init, but \"exec\" replaces modinit with the command" \
	"$?|$err"
out=$("$MODINIT_BIN" $MP -m exec --check-config 2>&1)
expect_eq "exec alone passes --check-config" "0|(no config): OK, 1 module: exec" "$?|$out"
finish
