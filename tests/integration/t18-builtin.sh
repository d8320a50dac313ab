#!/bin/sh
# The static modinit (the pass of make check against modinit-static): one
# file, no dynamic section, every bundled module built in and found with
# no module directory at all; a module that is not built in, by name or by
# path:, is one line at its config item and 78, with nothing started.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
static || skip_all "the dynamic modinit loads its bundled modules as .so files (t13)"
need_root_ns
plan 12

EMPTY=$WORK/no-modules
mkdir "$EMPTY"
MP="--module-path $EMPTY"
BUNDLED="wait-all-children exec signal-remap exit-code healthcheck user hooks notify services"

check "one file: no program interpreter" sh -c '! readelf -lW "$1" | grep -q INTERP' sh "$MODINIT_BIN"
check "and no dynamic section" sh -c 'readelf -d "$1" | grep -q "no dynamic section"' sh "$MODINIT_BIN"

out=$("$MODINIT_BIN" $MP --list-modules 2>"$WORK/err")
expect_eq "--list-modules: each bundled module, marked built-in" \
	"$(echo $BUNDLED) $(echo $BUNDLED | wc -w)" "$(echo "$out" | awk '{print $1}' | tr '\n' ' ')$(echo "$out" | grep -c ' (built-in)$')"
expect_eq "and one line saying no .so files are searched" \
	"modinit: info: static modinit: only the built-in modules (loading .so modules needs the dynamic build)" \
	"$(cat "$WORK/err")"

out=$("$MODINIT_BIN" $MP --describe-module healthcheck 2>&1)
expect_match "--describe-module of a built-in: file: built-in" '^file: built-in$' "$out"

# Every bundled module in one config, with an empty module directory.
cat >"$WORK/all.yaml" <<YAML
modules:
  - name: signal-remap
    map: {SIGUSR1: SIGTERM}
  - name: exit-code
    map: {143: 7}
  - name: wait-all-children
  - name: healthcheck
    checks:
      - name: alive
        exec: [/bin/true]
        interval: 1h
YAML
pid1 $MP -c "$WORK/all.yaml" -- sh -c 'kill -USR1 1; sleep 5' 2>"$WORK/err"
expect_eq "the bundled modules work with no module directory: USR1 as TERM, 143 as 7" 7 "$?"
expect_match "exit-code logged the change" '^modinit: info: exit-code: exit status 143 becomes 7$' "$(cat "$WORK/err")"
printf 'mode: exec\n' >"$WORK/exec.yaml"
out=$(pid1 $MP -c "$WORK/exec.yaml" -- sh -c 'echo $$; exit 4' 2>&1)
expect_eq "exec, built in: the command is PID 1 and its status is the container's" "4|1" "$?|$out"

printf 'modules:\n  - name: crasher\n' >"$WORK/name.yaml"
out=$(pid1 $MP -c "$WORK/name.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "a module that is not built in: 78, one line at its item" \
	"78|modinit: error: $WORK/name.yaml:2:5: module \"crasher\" is not built into this static modinit: loading .so modules needs the dynamic build" \
	"$?|$out"
printf 'modules:\n  - path: %s/crasher.so\n' "$MODINIT_FIXTURES" >"$WORK/path.yaml"
out=$(pid1 $MP -c "$WORK/path.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "path: a .so file: 78, one line at its item" \
	"78|modinit: error: $WORK/path.yaml:2:5: $MODINIT_FIXTURES/crasher.so: not built into this static modinit: loading .so modules needs the dynamic build" \
	"$?|$out"
out=$("$MODINIT_BIN" $MP --check-config -c "$WORK/name.yaml" 2>&1)
expect_eq "--check-config says the same" \
	"78|modinit: error: $WORK/name.yaml:2:5: module \"crasher\" is not built into this static modinit: loading .so modules needs the dynamic build" \
	"$?|$out"
check "nothing was spawned" test ! -e "$WORK/spawned"
finish
