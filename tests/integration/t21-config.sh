#!/bin/sh
# Configuration errors through the real binary: one line FILE:LINE:COL,
# status 78, nothing spawned; module names and module option errors; the
# example configuration shipped with the sources passes --check-config;
# MODINIT_CONFIG names the file when -c is absent; a FIFO (or any file
# that is not a regular one) is refused at once, never waited on.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
plan 13
MP="--module-path $MODINIT_MODDIR"

# run_cfg FILE: modinit with FILE, a command that leaves a trace if run.
run_cfg() {
	out=$("$MODINIT_BIN" $MP -c "$1" -- sh -c "touch $WORK/spawned" 2>&1)
	rc=$?
}

printf 'mode: wait\nshutdown:\n  grace: five\n' >"$WORK/a.yaml"
run_cfg "$WORK/a.yaml"
expect_eq "a core option error" \
	"78|modinit: error: $WORK/a.yaml:3:10: shutdown.grace: expected a duration like 5s, got \"five\"" "$rc|$out"
check "nothing was spawned" test ! -e "$WORK/spawned"

printf 'modules:\n  - name: no-such-module\n' >"$WORK/b.yaml"
run_cfg "$WORK/b.yaml"
if static; then
	expect_eq "an unknown module: not built in, and .so files need the dynamic build" \
		"78|modinit: error: $WORK/b.yaml:2:5: module \"no-such-module\" is not built into this static modinit: loading .so modules needs the dynamic build" "$rc|$out"
else
	expect_eq "an unknown module, with the directories searched" \
		"78|modinit: error: $WORK/b.yaml:2:5: module \"no-such-module\" not found (searched: $MODINIT_MODDIR $MODINIT_PKGLIBDIR)" "$rc|$out"
fi

printf 'modules:\n  - name: signal-remap\n    map: {SIGTERM: SIGQUIT}\n    targte: group\n' >"$WORK/c.yaml"
run_cfg "$WORK/c.yaml"
expect_match "an unknown module option names the module and the key" \
	"^modinit: error: $WORK/c.yaml:4:5: signal-remap: unknown key \"targte\" \\(expected map, target or delay\\)$" "$out"

printf 'modules:\n  - name: signal-remap\n    map: {SIGTERM: SIGNOPE}\n' >"$WORK/d.yaml"
run_cfg "$WORK/d.yaml"
expect_eq "a bad value inside a module's mapping points at the value" \
	"78|modinit: error: $WORK/d.yaml:3:20: signal-remap: map: SIGTERM: expected a signal like SIGQUIT or ignore, got \"SIGNOPE\"" "$rc|$out"

printf 'modules:\n  - name: exit-code\n    map: {143: 256}\n' >"$WORK/e.yaml"
run_cfg "$WORK/e.yaml"
expect_eq "exit-code checks its codes" \
	"78|modinit: error: $WORK/e.yaml:3:16: exit-code: map: 143: expected an exit code from 0 to 255, got 256" "$rc|$out"

out=$("$MODINIT_BIN" $MP --check-config -c "$MODINIT_SRCDIR/examples/init.yaml" 2>&1)
expect_eq "the example configuration is valid" \
	"0|$MODINIT_SRCDIR/examples/init.yaml: OK, 4 modules: wait-all-children, signal-remap, exit-code, healthcheck" "$?|$out"

out=$(MODINIT_CONFIG="$WORK/a.yaml" "$MODINIT_BIN" -- true 2>&1)
expect_eq "MODINIT_CONFIG is read when -c is absent" \
	"78|modinit: error: $WORK/a.yaml:3:10: shutdown.grace: expected a duration like 5s, got \"five\"" "$?|$out"
printf 'command: [sh, -c, "exit 7"]\n' >"$WORK/cmd.yaml"
"$MODINIT_BIN" -q -c "$WORK/cmd.yaml"
expect_eq "command: in the file runs when the command line has none" 7 "$?"

# A FIFO nobody writes to: opening it to read would wait for a writer
# forever. Bounded, so that a modinit stuck in open() fails (124) instead
# of hanging the test; the bound is far above the time a refusal takes.
mkfifo "$WORK/fifo.yaml"
out=$(timeout -k 2 10 "$MODINIT_BIN" $MP -c "$WORK/fifo.yaml" -- sh -c "touch $WORK/spawned" 2>&1)
expect_eq "-c FIFO: refused at once, not a regular file" \
	"78|modinit: error: $WORK/fifo.yaml: not a regular file" "$?|$out"
check "nothing was spawned" test ! -e "$WORK/spawned"
out=$(MODINIT_CONFIG="$WORK/fifo.yaml" timeout -k 2 10 "$MODINIT_BIN" -- true 2>&1)
expect_eq "MODINIT_CONFIG naming a FIFO: the same" \
	"78|modinit: error: $WORK/fifo.yaml: not a regular file" "$?|$out"
out=$(timeout -k 2 10 "$MODINIT_BIN" --check-config -c "$WORK/fifo.yaml" 2>&1)
expect_eq "--check-config -c FIFO: the same" \
	"78|modinit: error: $WORK/fifo.yaml: not a regular file" "$?|$out"
finish
