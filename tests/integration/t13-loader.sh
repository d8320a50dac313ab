#!/bin/sh
# The loader refuses, with one line, before any code of the module runs:
# wrong magic, wrong major, newer minor, no descriptor, a file or directory
# others can write, two modules with the same name, a name not found (with
# the directories searched). A good module loads; --check-config,
# --list-modules and --describe-module report what they find.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
so_only "the loader's checks of .so files"
plan 30
trusted_work # modules are loaded from $WORK: not below a sticky /tmp
F=$MODINIT_FIXTURES

# describe NAME: modinit's status and stderr for --describe-module NAME.
describe() {
	out=$("$MODINIT_BIN" --module-path "$F" --describe-module "$1" 2>&1 >/dev/null)
	rc=$?
}

describe bad-magic
expect_eq "wrong magic" "78|modinit: error: $F/bad-magic.so: not a modinit module (wrong magic 0x12345678)" "$rc|$out"
describe bad-major
expect_eq "wrong major" "78|modinit: error: $F/bad-major.so: built for module ABI 2.2, modinit speaks 1.2 (major differs)" "$rc|$out"
describe newer-minor
expect_eq "newer minor" "78|modinit: error: $F/newer-minor.so: built for module ABI 1.3, newer than modinit's 1.2" "$rc|$out"
describe no-descriptor
expect_eq "no descriptor" "78|modinit: error: $F/no-descriptor.so: not a modinit module (no modinit_module symbol)" "$rc|$out"
all=$(for m in bad-magic bad-major newer-minor no-descriptor; do
	"$MODINIT_BIN" --module-path "$F" --describe-module $m 2>&1; done)
expect_nomatch "no code of a refused module ran (its constructor prints)" "FIXTURE CONSTRUCTOR RAN" "$all"

# The same refusals when starting from a config: the line names the config
# item, the exit is 78, and the command is never spawned.
start_err=
for m in bad-magic bad-major newer-minor no-descriptor; do
	printf 'modules:\n  - name: %s\n' "$m" >"$WORK/bad.yaml"
	out=$("$MODINIT_BIN" --module-path "$F" -c "$WORK/bad.yaml" -- touch "$WORK/spawned" 2>&1)
	start_err="$start_err$?|$out
"
done
expect_eq "at start: the same lines, placed at the config item, with 78" \
"78|modinit: error: $WORK/bad.yaml:2:5: $F/bad-magic.so: not a modinit module (wrong magic 0x12345678)
78|modinit: error: $WORK/bad.yaml:2:5: $F/bad-major.so: built for module ABI 2.2, modinit speaks 1.2 (major differs)
78|modinit: error: $WORK/bad.yaml:2:5: $F/newer-minor.so: built for module ABI 1.3, newer than modinit's 1.2
78|modinit: error: $WORK/bad.yaml:2:5: $F/no-descriptor.so: not a modinit module (no modinit_module symbol)
" "$start_err"
check "and the command was not spawned" test ! -e "$WORK/spawned"

describe no-such-module
expect_eq "not found, with the directories searched" \
	"78|modinit: error: module \"no-such-module\" not found (searched: $F $MODINIT_PKGLIBDIR)" "$rc|$out"

# Permissions: a copy of a good module in a directory of the test's own.
mkdir -m 0755 "$WORK/mods"
cp "$F/rec-a.so" "$WORK/mods/rec-a.so"
chmod 0644 "$WORK/mods/rec-a.so"
printf 'modules:\n  - name: rec-a\n    file: %s\n' "$WORK/events" >"$WORK/a.yaml"
out=$("$MODINIT_BIN" --module-path "$WORK/mods" --check-config -c "$WORK/a.yaml" 2>&1)
expect_eq "a good module passes --check-config" "0|$WORK/a.yaml: OK, 1 module: rec-a" "$?|$out"
chmod 0666 "$WORK/mods/rec-a.so"
out=$("$MODINIT_BIN" --module-path "$WORK/mods" --check-config -c "$WORK/a.yaml" 2>&1)
expect_eq "a world-writable module file is refused" \
	"78|modinit: error: $WORK/a.yaml:2:5: refusing module $WORK/mods/rec-a.so: writable by group or others (mode 0666)" "$?|$out"
chmod 0644 "$WORK/mods/rec-a.so"
chmod 0777 "$WORK/mods"
out=$("$MODINIT_BIN" --module-path "$WORK/mods" --check-config -c "$WORK/a.yaml" 2>&1)
expect_eq "a module in a world-writable directory is refused" \
	"78|modinit: error: $WORK/a.yaml:2:5: refusing module directory $WORK/mods: writable by group or others (mode 0777)" "$?|$out"
chmod 0755 "$WORK/mods"
chown 12345 "$WORK/mods/rec-a.so"
out=$("$MODINIT_BIN" --module-path "$WORK/mods" --check-config -c "$WORK/a.yaml" 2>&1)
expect_eq "a module owned by another user is refused" \
	"78|modinit: error: $WORK/a.yaml:2:5: refusing module $WORK/mods/rec-a.so: owned by uid 12345, not root or modinit's user" "$?|$out"
chown 0 "$WORK/mods/rec-a.so"

# path: is used as it is.
printf 'modules:\n  - path: %s\n    file: %s\n' "$WORK/mods/rec-a.so" "$WORK/events" >"$WORK/p.yaml"
out=$("$MODINIT_BIN" --check-config -c "$WORK/p.yaml" 2>&1)
expect_eq "path: loads the file named" "0|$WORK/p.yaml: OK, 1 module: rec-a" "$?|$out"

# Two modules with the same name (rec-a-copy.so says it is rec-a).
printf 'modules:\n  - name: rec-a\n    file: %s\n  - name: rec-a-copy\n    file: %s\n' \
	"$WORK/events" "$WORK/events" >"$WORK/dup.yaml"
out=$("$MODINIT_BIN" --module-path "$F" --check-config -c "$WORK/dup.yaml" 2>&1)
expect_eq "two modules with the same name are refused" \
	"78|modinit: error: $WORK/dup.yaml:4:5: two modules named \"rec-a\": $F/rec-a.so and $F/rec-a-copy.so" "$?|$out"

# A module option error names the module; a failing init stops the start.
printf 'modules:\n  - name: rec-a\n    file: %s\n    flag: yes\n' "$WORK/events" >"$WORK/opt.yaml"
out=$("$MODINIT_BIN" --module-path "$F" --check-config -c "$WORK/opt.yaml" 2>&1)
expect_eq "a bad module option: FILE:LINE:COL: module: key: why" \
	"78|modinit: error: $WORK/opt.yaml:4:11: rec-a: flag: expected true or false, got \"yes\"" "$?|$out"
printf 'modules:\n  - name: init-fail\n' >"$WORK/if.yaml"
out=$("$MODINIT_BIN" --module-path "$F" -c "$WORK/if.yaml" -- sh -c "touch $WORK/spawned" 2>&1)
expect_eq "a module whose init fails stops the start (78) with its message" \
	"78|modinit: error: $WORK/if.yaml:2:5: init-fail: refusing to start: fixture says no" "$?|$out"
check "and nothing was spawned" test ! -e "$WORK/spawned"

# The search order: --module-path, then the config's module_path, then the
# installed directory; the first directory holding the name wins.
mkdir -m 0755 "$WORK/first" "$WORK/second"
printf 'module_path: [%s]\nmodules:\n  - name: no-such-module\n' "$WORK/second" >"$WORK/mp.yaml"
out=$("$MODINIT_BIN" --module-path "$WORK/first" --check-config -c "$WORK/mp.yaml" 2>&1)
expect_eq "not found: the directories in search order (CLI, config, installed)" \
	"78|modinit: error: $WORK/mp.yaml:3:5: module \"no-such-module\" not found (searched: $WORK/first $WORK/second $MODINIT_PKGLIBDIR)" \
	"$?|$out"
cp "$F/rec-a.so" "$WORK/second/rec-a.so"
cp "$F/rec-a-copy.so" "$WORK/first/rec-a.so"
printf 'module_path: [%s]\nmodules:\n  - name: rec-a\n    file: %s\n' "$WORK/second" "$WORK/events" >"$WORK/mp.yaml"
out=$("$MODINIT_BIN" --module-path "$WORK/first" -c "$WORK/mp.yaml" --describe-module rec-a 2>&1 | sed -n 2p)
expect_eq "--module-path comes before the config's module_path" "file: $WORK/first/rec-a.so" "$out"
out=$("$MODINIT_BIN" -c "$WORK/mp.yaml" --describe-module rec-a 2>&1 | sed -n 2p)
expect_eq "the config's module_path comes before the installed directory" "file: $WORK/second/rec-a.so" "$out"
out=$("$MODINIT_BIN" --check-config -c "$WORK/mp.yaml" 2>&1)
expect_eq "the config's module_path is searched" "0|$WORK/mp.yaml: OK, 1 module: rec-a" "$?|$out"

# The summary counts the mode's and the shortcuts' modules too, in order.
out=$("$MODINIT_BIN" --module-path "$MODINIT_MODDIR" -m wait-all-children -r TERM:QUIT -e 143 --check-config 2>&1)
expect_eq "--check-config without a config: the modules of the flags" \
	"0|(no config): OK, 3 modules: wait-all-children, signal-remap, exit-code" "$?|$out"
out=$("$MODINIT_BIN" --check-config 2>&1)
expect_eq "--check-config with nothing to load" "0|(no config): OK, 0 modules" "$?|$out"

# --list-modules: one line per loadable module, a warning per refused file,
# and still no code of a refused module runs.
"$MODINIT_BIN" --module-path "$F" --list-modules >"$WORK/list" 2>"$WORK/listerr"
rc=$?
L="records every event it receives (test fixture)"
expect_eq "--list-modules: name, version, description and file of each module" \
"0|crasher              1.0      crashes on SIGUSR2 (test fixture) ($F/crasher.so)
init-fail            1.0      init always fails (test fixture) ($F/init-fail.so)
needs-live           1.0      has a runtime hook (test fixture) ($F/needs-live.so)
planted              1.0      runs code at load time (test fixture) ($F/planted.so)
rec-a                1.0      $L ($F/rec-a-copy.so)
rec-a                1.0      $L ($F/rec-a.so)
rec-b                1.0      $L ($F/rec-b.so)" "$rc|$(grep -F "($F/" "$WORK/list")"
expect_eq "--list-modules: one warning line for each file refused" \
"modinit: warning: $F/bad-magic.so: not a modinit module (wrong magic 0x12345678)
modinit: warning: $F/bad-major.so: built for module ABI 2.2, modinit speaks 1.2 (major differs)
modinit: warning: $F/newer-minor.so: built for module ABI 1.3, newer than modinit's 1.2
modinit: warning: $F/no-descriptor.so: not a modinit module (no modinit_module symbol)" \
	"$(grep -F "$F/" "$WORK/listerr")"
expect_nomatch "--list-modules ran no code of a refused module" "FIXTURE CONSTRUCTOR RAN" \
	"$(cat "$WORK/list" "$WORK/listerr")"

out=$("$MODINIT_BIN" --module-path "$F" --describe-module rec-a 2>&1)
expect_eq "--describe-module: header, file and every option with type, default and help" \
"0|rec-a 1.0: $L
file: $F/rec-a.so
options:
  file (string, required)
      file the events are appended to
  tag (string)
      first word of each line (default: the name)
  signal_action (string, default: pass)
      pass, drop, consume or rewrite
  only (signal)
      act on this signal only
  rewrite_to (signal)
      the signal rewrite turns it into
  exit_code (integer)
      rewrite the final exit code to this
  flag (bool, default: false)
      an unused boolean, for type tests
  delay (duration, default: 1s)
      an unused duration, for type tests
  args (list of strings)
      an unused list, for type tests" "$?|$out"
out=$("$MODINIT_BIN" --module-path "$F" --describe-module needs-live 2>&1)
expect_eq "--describe-module of a module without options" \
"0|needs-live 1.0: has a runtime hook (test fixture)
file: $F/needs-live.so
options: none" "$?|$out"

list=$("$MODINIT_BIN" --module-path "$MODINIT_MODDIR" --list-modules 2>/dev/null)
expect_match "--list-modules shows the bundled modules with version and file" \
	"^exit-code +[0-9.]+ +.*$MODINIT_MODDIR/exit-code.so" "$list"
desc=$("$MODINIT_BIN" --module-path "$MODINIT_MODDIR" --describe-module exit-code 2>/dev/null)
expect_match "--describe-module prints each option with type and help" \
	'^  map \(mapping, required\)$' "$desc"
finish
