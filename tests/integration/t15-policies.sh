#!/bin/sh
# signal-remap, as PID 1: remapping by CLI and YAML (and both merged),
# ignore, targets reaching a grandchild in another session, a delay that
# does not double and is mapped when it fires; option errors.
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
plan 15
MP="--module-path $MODINIT_MODDIR"
USR1=$(signum USR1)

# Remap TERM to QUIT from the command line; the command only exits on QUIT.
pid1 $MP -r TERM:QUIT -- sh -c 'trap "exit 3" QUIT; trap "exit 15" TERM; kill -TERM 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "-r TERM:QUIT: the command gets SIGQUIT" 3 "$?"

cat >"$WORK/map.yaml" <<'EOC'
modules:
  - name: signal-remap
    map: {SIGUSR1: SIGUSR2, SIGHUP: ignore}
EOC
pid1 $MP -c "$WORK/map.yaml" -- sh -c \
	'trap "exit 10" USR1; trap "exit 12" USR2; trap "exit 1" HUP; kill -HUP 1; kill -USR1 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "map: USR1 arrives as USR2, after an ignored HUP that never arrived" 12 "$?"

# target: a grandchild in its own session (setsid) is outside the child's
# group; group does not reach it, all does.
for t in group all; do
	rm -f "$WORK/sig"
	fifo_name=sig-$t
	mkfifo "$WORK/$fifo_name"
	exec 3<>"$WORK/$fifo_name"
	printf 'modules:\n  - name: signal-remap\n    target: %s\n' "$t" >"$WORK/t.yaml"
	bg_pid1 -q $MP -c "$WORK/t.yaml" -- sh -c '
		trap "" USR1
		"$0" signals "$1" 1 &
		setsid "$0" signals "$1" 1 &
		wait' "$TESTCHILD" "$WORK/$fifo_name"
	get_line >/dev/null
	get_line >/dev/null
	kill -USR1 "$HOSTPID"
	got=$(get_line 5)
	got2=$(get_line 2)
	if [ $t = group ]; then
		expect_eq "target: group reaches the group's grandchild only" "$USR1|" "$got|$got2"
		kill -TERM "$HOSTPID"
	else
		expect_eq "target: all also reaches the grandchild in another session" "$USR1|$USR1" "$got|$got2"
	fi
	wait "$BG"
	exec 3<&-
done

# delay: TERM is held 1 s; a second TERM meanwhile neither doubles nor
# extends it; the command sees TERM once.
fifo dl
printf 'modules:\n  - name: signal-remap\n    delay: {SIGTERM: 1s}\n' >"$WORK/d.yaml"
bg_pid1 $MP -c "$WORK/d.yaml" -- "$TESTCHILD" signals "$WORK/dl" 2 2>"$WORK/err"
get_line >/dev/null
kill -TERM "$HOSTPID"
# Two TERMs pending at once are one signal for the kernel: send the second
# once modinit has taken the first.
wait_grep "$WORK/err" 'SIGTERM held back for 1000 ms'
kill -TERM "$HOSTPID"
kill -USR1 "$HOSTPID"
expect_eq "other signals pass while TERM is held" "$USR1" "$(get_line)"
expect_eq "the held TERM arrives once, after the delay" "$(signum TERM)" "$(get_line)"
wait "$BG"
expect_eq "the command got exactly its two signals" 0 "$?"
expect_match "the second TERM was dropped, and said so" \
	'signal-remap: SIGTERM again while it is held back: dropped' "$(cat "$WORK/err")"
exec 3<&-

# delay and map together: the delay is looked up by the signal as it
# arrived, the map applied when it fires.
fifo dm
printf 'modules:\n  - name: signal-remap\n    map: {TERM: QUIT}\n    delay: {TERM: 300ms}\n' >"$WORK/dm.yaml"
bg_pid1 $MP -c "$WORK/dm.yaml" -- "$TESTCHILD" signals "$WORK/dm" 1 2>"$WORK/err"
get_line >/dev/null
kill -TERM "$HOSTPID"
expect_eq "a delayed TERM is mapped when it is sent: the command sees QUIT" "$(signum QUIT)" "$(get_line)"
wait "$BG"
expect_eq "and ends as it chose (0)" 0 "$?"
expect_match "the hold was logged" 'signal-remap: SIGTERM held back for 300 ms' "$(cat "$WORK/err")"
exec 3<&-

# -r merges into the config's map: the same signal is overridden, the rest kept.
pid1 $MP -c "$WORK/map.yaml" -r USR1:QUIT -- sh -c \
	'trap "exit 3" QUIT; trap "exit 12" USR2; trap "exit 1" HUP; kill -HUP 1; kill -USR1 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "-r USR1:QUIT over map {SIGUSR1: SIGUSR2, SIGHUP: ignore}: QUIT, HUP still ignored" 3 "$?"
pid1 $MP -r HUP:ignore -r USR1:USR2 -- sh -c \
	'trap "exit 1" HUP; trap "exit 12" USR2; kill -HUP 1; kill -USR1 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "-r repeated, and -r SIG:ignore" 12 "$?"

# Errors: the command line's with 64, the config's with its position and 78.
out=$("$MODINIT_BIN" $MP -r TERM:BOGUS -- true 2>&1)
expect_eq "-r with an unknown signal" \
	"64|modinit: error: --rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \"TERM:BOGUS\"" "$?|$out"
printf 'modules:\n  - name: signal-remap\n    map: {SIGKILL: SIGTERM}\n' >"$WORK/bad.yaml"
out=$("$MODINIT_BIN" $MP -c "$WORK/bad.yaml" -- true 2>&1)
expect_eq "map: SIGKILL is refused at its position" \
	"78|modinit: error: $WORK/bad.yaml:3:11: signal-remap: map: SIGKILL cannot be remapped or delayed" "$?|$out"
finish
