#!/bin/sh
# The module ABI grows without breaking older modules: a fixture built
# against the frozen 1.0 header (tests/fixtures/abi-1.0) loads and runs in
# this modinit as PID 1, gets every option of every 1.0 type with the right
# value, has its hooks called, and parse_node writes exactly a 1.0 value.
# The same module built against the frozen 1.1 header
# (tests/fixtures/abi-1.1) gets options of the 1.1 types and uses
# parse_value; built for 1.2 it also sets the command's environment through
# main_setenv after testing for it with MODINIT_HOST_HAS; a schema that declares a key modinit keeps (name, path) is
# refused at load. (A module built for a newer minor: t13, test_options.)
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
so_only "modules built against the frozen headers are .so files"
plan 16
A=$MODINIT_BUILDDIR/tests/fixtures/modules/abi/.libs

# run_abi NAME CODE: modinit as PID 1 with $WORK/NAME.yaml, its stderr in
# $WORK/err-NAME; the command ends with CODE once the helper the module
# spawned at start was reaped (the module writes "helper-done" to
# $WORK/ev-NAME).
run_abi() {
	pid1 --module-path "$A" -c "$WORK/$1.yaml" -- sh -c \
		'until grep -q "^helper-done" "$0"; do sleep 0.01; done; exit "$1"' \
		"$WORK/ev-$1" "$2" >/dev/null 2>"$WORK/err-$1"
}

# --- a 1.0 module in this modinit ---
usr1=$(signum USR1)
cat >"$WORK/abi10.yaml" <<EOC
modules:
  - name: abi10
    file: $WORK/ev-abi10
    flag: true
    stop: SIGUSR1
    args: [a, b, c]
    timeouts: {x: 250ms, y: 2m}
    numbers: [3, -4]
EOC
run_abi abi10 5
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
fini" "$(grep -v '^helper-ran$' "$WORK/ev-abi10")"
expect_eq "the helper it spawned with 1.0 spawn options ran once" 1 \
	"$(grep -c '^helper-ran$' "$WORK/ev-abi10")"
expect_eq "nothing on stderr" "" "$(cat "$WORK/err-abi10")"

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

# --- a 1.1 module ---
term=$(signum TERM)
int=$(signum INT)
cat >"$WORK/abi11.yaml" <<EOC
modules:
  - name: abi11
    file: $WORK/ev-abi11
    mode: fast
    root: /srv
    server: {host: db}
    timeouts: {x: 1s}
EOC
run_abi abi11 3
expect_eq "a 1.1 module runs as PID 1: the command's status" 3 "$?"
expect_eq "enum, path, list default and section values; parse_value; sized spawn options" \
"init abi 1.1
count default 7
flag default false
delay default 1500
stop default $term
word unset -
args unset 0
mode config fast 0
root config /srv
sigs default 0 $term
sigs default 1 $int
server config db:80
timeouts x 1000
start spawn 0
helper-done 0
main_exit 3
exit 3
fini" "$(grep -v '^helper-ran$' "$WORK/ev-abi11")"
expect_eq "nothing on stderr (1.1)" "" "$(cat "$WORK/err-abi11")"

printf 'modules:\n  - name: abi11\n    file: %s\n    mode: quick\n' "$WORK/ev" >"$WORK/bad11.yaml"
out=$("$MODINIT_BIN" --module-path "$A" --check-config -c "$WORK/bad11.yaml" 2>&1)
expect_eq "an enumeration's error lists the choices" \
	"78|modinit: error: $WORK/bad11.yaml:4:11: abi11: mode: expected fast or slow, got \"quick\"" \
	"$?|$out"
printf 'modules:\n  - name: abi11\n    file: %s\n    server:\n      host: db\n      port: http\n' \
	"$WORK/ev" >"$WORK/bad11.yaml"
out=$("$MODINIT_BIN" --module-path "$A" --check-config -c "$WORK/bad11.yaml" 2>&1)
expect_eq "an error inside a section is placed at the nested node" \
	"78|modinit: error: $WORK/bad11.yaml:6:13: abi11: server: port: expected an integer, got \"http\"" \
	"$?|$out"

# --- a 1.2 module: main_setenv reaches the command, not the helper ---
cat >"$WORK/abi12.yaml" <<EOC
modules:
  - name: abi12
    file: $WORK/ev-abi12
    mode: fast
EOC
pid1 --module-path "$A" -c "$WORK/abi12.yaml" -- sh -c \
	'until grep -q "^helper-done" "$0"; do sleep 0.01; done
	echo "command sees ${MODINIT_ABI12:-nothing}" >>"$0"; exit 4' \
	"$WORK/ev-abi12" >/dev/null 2>"$WORK/err-abi12"
expect_eq "a 1.2 module runs as PID 1: the command's status" 4 "$?"
expect_eq "its 1.2 service answered and its variable reached the command" \
"init abi 1.2
count default 7
flag default false
delay default 1500
stop default $term
word unset -
args unset 0
mode config fast 0
root unset -
sigs default 0 $term
sigs default 1 $int
main_setenv 0
start spawn 0
helper-done 0
command sees yes
main_exit 4
exit 4
fini" "$(grep -v '^helper-ran$' "$WORK/ev-abi12")"
expect_eq "nothing on stderr (1.2)" "" "$(cat "$WORK/err-abi12")"

# --- a schema with a reserved key ---
printf 'modules:\n  - name: reserved\n    file: %s\n' "$WORK/ev" >"$WORK/res.yaml"
out=$("$MODINIT_BIN" --module-path "$A" -c "$WORK/res.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "a schema declaring \"path\" is refused at load, naming the module" \
	"78|modinit: error: $WORK/res.yaml:2:5: $A/reserved.so: module \"reserved\": option \"path\" is reserved: modinit reads \"name\" and \"path\" in every module item itself" \
	"$?|$out"
check "and the command was not spawned" test ! -e "$WORK/spawned"

finish
