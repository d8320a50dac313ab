#!/bin/sh
# The module ABI grows without breaking older modules: a fixture built
# against the frozen 1.0 header (tests/fixtures/abi-1.0) loads and runs in
# this modinit as PID 1, gets every option of every 1.0 type with the right
# value, has its hooks called, and parse_node writes exactly a 1.0 value.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 6
A=$MODINIT_BUILDDIR/tests/fixtures/modules/abi/.libs

# --- a 1.0 module in this modinit ---
usr1=$(signum USR1)
cat >"$WORK/abi10.yaml" <<EOC
modules:
  - name: abi10
    file: $WORK/ev10
    flag: true
    stop: SIGUSR1
    args: [a, b, c]
    timeouts: {x: 250ms, y: 2m}
    numbers: [3, -4]
EOC
# The command ends once the helper the module spawned at start was reaped.
pid1 --module-path "$A" -c "$WORK/abi10.yaml" -- sh -c \
	'until grep -q "^helper-done" "$0"; do sleep 0.01; done; exit 5' "$WORK/ev10" \
	>/dev/null 2>"$WORK/err10"
expect_eq "a 1.0 module runs as PID 1: the command's status" 5 "$?"
expect_eq "its options arrive with their values, parse_node converts, hooks run" \
"init abi 1.0
count default 7
flag config true
delay default 1500
stop config $usr1
word unset -
args config 3 c
timeouts x 250
timeouts y 120000
numbers 0 3
numbers 1 -4
start spawn 0
helper-done 0
main_exit 5
exit 5
fini" "$(grep -v '^helper-ran$' "$WORK/ev10")"
expect_eq "the helper it spawned with 1.0 spawn options ran once" 1 \
	"$(grep -c '^helper-ran$' "$WORK/ev10")"
expect_eq "nothing on stderr" "" "$(cat "$WORK/err10")"

# A value parse_node refuses: the 1.0 module returns the host's message.
printf 'modules:\n  - name: abi10\n    file: %s\n    timeouts: {x: soon}\n' "$WORK/ev" \
	>"$WORK/bad10.yaml"
out=$("$MODINIT_BIN" --module-path "$A" --check-config -c "$WORK/bad10.yaml" 2>&1)
expect_eq "parse_node's error line, placed at the node" \
	"78|modinit: error: $WORK/bad10.yaml:4:19: abi10: timeouts: x: expected a duration like 5s, got \"soon\"" \
	"$?|$out"

# --describe-module walks a 1.0 schema entry by entry.
out=$("$MODINIT_BIN" --module-path "$A" --describe-module abi10 2>&1 | sed -n 's/^  \([a-z]*\) (.*/\1/p' |
	tr '\n' ' ')
expect_eq "--describe-module lists every option of a 1.0 schema" \
	"file count flag delay stop word args timeouts numbers " "$out"

finish
