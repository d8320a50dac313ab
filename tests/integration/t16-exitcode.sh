#!/bin/sh
# exit-code, as PID 1: the final status is remapped after a signal N that
# killed the main command has become 128+N; -e CODE[:NEW] and the YAML map,
# merged; the main status of wait-all-children is the one remapped.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 13
MP="--module-path $MODINIT_MODDIR"

# A docker stop of a command without handlers is 143; -e 143 makes it 0.
fifo ready
bg_pid1 $MP -e 143 -- "$TESTCHILD" ready "$WORK/ready" 2>/dev/null
get_line >/dev/null
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "-e 143: a stop by SIGTERM counts as success" 0 "$?"
exec 3<&-

pid1 $MP -e 143 -- sh -c 'kill -TERM $$' 2>/dev/null
expect_eq "-e 143: the command killing itself by SIGTERM too" 0 "$?"
pid1 $MP -e 143 -- sh -c 'exit 142' 2>/dev/null
expect_eq "-e 143 leaves other codes alone" 142 "$?"
pid1 $MP -e 3:9 -- sh -c 'exit 3' 2>/dev/null
expect_eq "-e 3:9" 9 "$?"
pid1 $MP -e 3:9 -e 5 -- sh -c 'exit 5' 2>/dev/null
expect_eq "-e repeated; NEW defaults to 0" 0 "$?"

printf 'modules:\n  - name: exit-code\n    map: {3: 0}\n' >"$WORK/e3.yaml"
pid1 $MP -c "$WORK/e3.yaml" -- sh -c 'exit 3' 2>/dev/null
expect_eq "map {3: 0}" 0 "$?"

printf 'modules:\n  - name: exit-code\n    map: {130: 0, 1: 2}\n' >"$WORK/e.yaml"
pid1 $MP -c "$WORK/e.yaml" -- sh -c 'kill -INT $$' 2>/dev/null
expect_eq "map {130: 0}: killed by SIGINT (128+2) becomes 0" 0 "$?"
pid1 $MP -c "$WORK/e.yaml" -- sh -c 'exit 4' 2>/dev/null
expect_eq "codes not in the map pass unchanged" 4 "$?"

# -e merges into the config's map, overriding the same code.
printf 'modules:\n  - name: exit-code\n    map: {3: 0, 4: 5}\n' >"$WORK/m.yaml"
pid1 $MP -c "$WORK/m.yaml" -e 3:7 -- sh -c 'exit 3' 2>/dev/null
expect_eq "-e 3:7 overrides the config's 3: 0" 7 "$?"
pid1 $MP -c "$WORK/m.yaml" -e 3:7 -- sh -c 'exit 4' 2>/dev/null
expect_eq "and keeps its 4: 5" 5 "$?"

# wait-all-children: the main status (3) is mapped, not the last one's (9).
pid1 $MP -m wait-all-children -e 3:0 -e 9:1 -- sh -c \
	'(sleep 0.2; exit 9) & exit 3' 2>/dev/null
expect_eq "with wait-all-children the main status is the one remapped" 0 "$?"

# Errors: the command line's with 64, the config's with its position and 78.
out=$("$MODINIT_BIN" $MP -e 300 -- true 2>&1)
expect_eq "-e with a code out of range" \
	"64|modinit: error: --remap-exit: expected CODE or CODE:NEW (0-255), got \"300\"" "$?|$out"
printf 'modules:\n  - name: exit-code\n    map: {300: 0}\n' >"$WORK/bad.yaml"
out=$("$MODINIT_BIN" $MP -c "$WORK/bad.yaml" -- true 2>&1)
expect_eq "map: a code out of range is refused at its position" \
	"78|modinit: error: $WORK/bad.yaml:3:11: exit-code: map: expected an exit code from 0 to 255, got 300" "$?|$out"
finish
