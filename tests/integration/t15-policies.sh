#!/bin/sh
# signal-remap, exit-code and the shutdown settings, as PID 1: remapping by
# CLI and YAML, ignore, targets reaching a grandchild in another session,
# a delay that does not double; exit statuses remapped after 128+N; the
# configured stop signal and grace.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 14
MP="--module-path $MODINIT_MODDIR"
USR1=$(kill -l USR1)

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
expect_eq "the held TERM arrives once, after the delay" "$(kill -l TERM)" "$(get_line)"
wait "$BG"
expect_eq "the command got exactly its two signals" 0 "$?"
expect_match "the second TERM was dropped, and said so" \
	'signal-remap: SIGTERM again while it is held back: dropped' "$(cat "$WORK/err")"
exec 3<&-

# exit-code: after the 128+N step.
pid1 $MP -e 143 -- sh -c 'kill -TERM $$' 2>/dev/null
expect_eq "-e 143: a stop by SIGTERM counts as success" 0 "$?"
pid1 $MP -e 3:9 -- sh -c 'exit 3' 2>/dev/null
expect_eq "-e 3:9" 9 "$?"
printf 'modules:\n  - name: exit-code\n    map: {130: 0, 1: 2}\n' >"$WORK/e.yaml"
pid1 $MP -c "$WORK/e.yaml" -- sh -c 'kill -INT $$' 2>/dev/null
expect_eq "map {130: 0}: killed by SIGINT becomes 0" 0 "$?"
pid1 $MP -c "$WORK/e.yaml" -- sh -c 'exit 4' 2>/dev/null
expect_eq "codes not in the map pass unchanged" 4 "$?"

# shutdown: leftovers get the configured signal, and SIGKILL after grace.
fifo sd
printf 'shutdown: {signal: SIGUSR1, grace: 300ms}\n' >"$WORK/s.yaml"
out=$(pid1 -c "$WORK/s.yaml" -- sh -c '"$0" signals "$1" 1 & read x < "$2"; exit 6' \
	"$TESTCHILD" "$WORK/sd" "$WORK/sd" 2>&1)
expect_eq "the main status is kept" 6 "$?"
expect_eq "the leftover got the configured stop signal" "$USR1" "$(get_line 2)"
exec 3<&-
finish
