#!/bin/sh
# Event dispatch, as PID 1: two recording modules see every lifecycle event
# in config order; the signal pipeline lets a module rewrite, drop or
# consume a signal; on_exit may change the final status.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
so_only "hook dispatch is observed through fixture modules"
plan 13
F=$MODINIT_FIXTURES
EV=$WORK/events

cat >"$WORK/order.yaml" <<EOC
modules:
  - name: rec-a
    file: $EV
  - name: rec-b
    file: $EV
EOC
# The command orphans a process: its shell exits while it still blocks on a
# FIFO, so that only PID 1 can reap it. The command then lets it end, waits
# until PID 1 has reaped it, and signals PID 1.
mkfifo "$WORK/orph"
pid1 --module-path "$F" -c "$WORK/order.yaml" -- sh -c '
	trap "exit 5" USR1
	p=$(sh -c "sh -c \"read x < \$0\" \"\$0\" >/dev/null 2>&1 & echo \$!" "$0")
	echo go > "$0"
	while [ -e /proc/$p ]; do sleep 0.01; done
	kill -USR1 1
	while :; do sleep 0.05; done' "$WORK/orph" 2>/dev/null
expect_eq "the forwarded signal ended the command (status 5)" 5 "$?"
expect_eq "every event reaches both modules, in config order (fini in reverse)" \
"rec-a init
rec-b init
rec-a start
rec-b start
rec-a spawn pid
rec-b spawn pid
rec-a orphan
rec-b orphan
rec-a signal 10
rec-b signal 10
rec-a main_exit 1280
rec-b main_exit 1280
rec-a shutdown 1
rec-b shutdown 1
rec-a exit 5
rec-b exit 5
rec-b fini
rec-a fini" "$(cat "$EV")"

# rewrite: rec-a turns USR1 into USR2; rec-b, after it, sees USR2; so does
# the command.
rm -f "$EV"
cat >"$WORK/rw.yaml" <<EOC
modules:
  - name: rec-a
    file: $EV
    signal_action: rewrite
    only: USR1
    rewrite_to: USR2
  - name: rec-b
    file: $EV
EOC
pid1 --module-path "$F" -c "$WORK/rw.yaml" -- sh -c \
	'trap "exit 12" USR2; trap "exit 10" USR1; kill -USR1 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "a rewritten signal reaches the command as the new one" 12 "$?"
expect_eq "the next module sees it rewritten" "rec-a signal 10|rec-b signal 12" \
	"$(grep signal "$EV" | tr '\n' '|' | sed 's/|$//')"

# drop: rec-a drops USR1, so neither rec-b nor the command sees it; the USR2
# sent after it arrives and ends the command.
rm -f "$EV"
sed 's/rewrite$/drop/' "$WORK/rw.yaml" >"$WORK/drop.yaml"
pid1 --module-path "$F" -c "$WORK/drop.yaml" -- sh -c \
	'trap "exit 10" USR1; trap "exit 12" USR2; kill -USR1 1; kill -USR2 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "a dropped signal never reaches the command; the next one does" 12 "$?"
expect_eq "nor the modules after the one that dropped it" "rec-a signal 10|rec-a signal 12|rec-b signal 12" \
	"$(grep signal "$EV" | tr '\n' '|' | sed 's/|$//')"

# consume: the same stop for the pipeline, the module having acted on it.
rm -f "$EV"
sed 's/rewrite$/consume/' "$WORK/rw.yaml" >"$WORK/consume.yaml"
pid1 --module-path "$F" -c "$WORK/consume.yaml" -- sh -c \
	'trap "exit 10" USR1; trap "exit 12" USR2; kill -USR1 1; kill -USR2 1; while :; do sleep 0.05; done' 2>/dev/null
expect_eq "a consumed signal is not forwarded either" 12 "$?"
expect_eq "nor seen by the modules after the one that consumed it" \
	"rec-a signal 10|rec-a signal 12|rec-b signal 12" \
	"$(grep signal "$EV" | tr '\n' '|' | sed 's/|$//')"

# on_exit: rec-b changes the final status.
cat >"$WORK/exit.yaml" <<EOC
modules:
  - name: rec-a
    file: $EV
  - name: rec-b
    file: $EV
    exit_code: 42
EOC
pid1 --module-path "$F" -c "$WORK/exit.yaml" -- sh -c 'exit 3' 2>/dev/null
expect_eq "on_exit may change the final status" 42 "$?"

# A module that crashes is a fault of PID 1: 70, see t11. A module whose
# init fails: 78 and nothing spawned, see t13. Config order is kept with
# three modules as well:
printf 'modules:\n  - name: rec-b\n    file: %s\n  - name: rec-a\n    file: %s\n' "$EV" "$EV" >"$WORK/ba.yaml"
rm -f "$EV"
pid1 --module-path "$F" -c "$WORK/ba.yaml" -- true 2>/dev/null
expect_eq "the order is the config's, not the names'" "rec-b init|rec-a init" \
	"$(grep init "$EV" | tr '\n' '|' | sed 's/|$//')"

# A module whose init fails, as PID 1: 78 with its message, before anything
# is spawned; the module initialised before it is finalised, and no other
# event happens.
rm -f "$EV"
printf 'modules:\n  - name: rec-a\n    file: %s\n  - name: init-fail\n  - name: rec-b\n    file: %s\n' \
	"$EV" "$EV" >"$WORK/if.yaml"
out=$(pid1 --module-path "$F" -c "$WORK/if.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "init failure as PID 1: 78 and the module's message" \
	"78|modinit: error: $WORK/if.yaml:4:5: init-fail: refusing to start: fixture says no" "$?|$out"
check "nothing was spawned" test ! -e "$WORK/spawned"
expect_eq "only init and fini of the module before it; none for the one after" \
	"rec-a init|rec-a fini" "$(tr '\n' '|' <"$EV" | sed 's/|$//')"
finish
