#!/bin/sh
# The command line: usage errors exit 64 with one line on stderr and nothing
# on stdout; --help and --version go to stdout; options stop at the first
# non-option; -p sets the parent-death signal.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
plan 18

# usage ARGS... : run modinit, record status, stdout and stderr.
usage() {
	"$MODINIT_BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}

usage --bogus
expect_eq "unknown option: 64" 64 "$rc"
expect_eq "unknown option: one line" "modinit: error: unknown option '--bogus' (see --help)" "$(cat "$WORK/err")"
expect_eq "unknown option: nothing on stdout" "" "$(cat "$WORK/out")"
usage
expect_eq "no command: 64" 64 "$rc"
expect_eq "no command: one line" "modinit: error: no command given (see --help)" "$(cat "$WORK/err")"
usage --grace five true
expect_eq "bad duration: one line" \
	"modinit: error: --grace: expected a duration like 5s, got \"five\"|64" "$(cat "$WORK/err")|$rc"
usage -p SIGNOPE true
expect_eq "bad signal: one line" \
	"modinit: error: --pdeathsig: expected a signal like SIGTERM, got \"SIGNOPE\"|64" "$(cat "$WORK/err")|$rc"
usage --grace
expect_eq "missing argument" "modinit: error: option --grace needs an argument|64" "$(cat "$WORK/err")|$rc"
usage -m sideways true
expect_eq "bad mode" \
	"modinit: error: --mode: expected wait, wait-all-children or exec, got \"sideways\"|64" "$(cat "$WORK/err")|$rc"

usage -V
expect_eq "--version: status 0, nothing on stderr" "0|" "$rc|$(cat "$WORK/err")"
expect_match "--version: on stdout" '^modinit [0-9]+\.[0-9]+\.[0-9]+$' "$(cat "$WORK/out")"
usage --help
expect_eq "--help: status 0, nothing on stderr" "0|" "$rc|$(cat "$WORK/err")"
expect_match "--help lists --config" '^  -c, --config FILE' "$(cat "$WORK/out")"

# Options stop at the first non-option: the command's -v is its own.
out=$(sub -q -- sh -c 'echo "$1"' sh -v 2>/dev/null)
expect_eq "the command's own flags are left alone (with --)" "-v" "$out"
out=$(sub -q sh -c 'echo "$1"' sh -g 2>/dev/null)
expect_eq "the command's own flags are left alone (without --)" "-g" "$out"

# -p: when modinit's parent dies, modinit gets the signal and forwards it.
# modinit is kept off the TAP pipe and killed afterwards, so that one that
# missed the signal cannot outlive the test.
fifo pd
mkfifo "$WORK/go"
sh -c '"$0" -q -p USR1 -- "$1" signals "$2" 1 >/dev/null 2>&1 & read x < "$3"' \
	"$MODINIT_BIN" "$TESTCHILD" "$WORK/pd" "$WORK/go" &
parent=$!
child=$(get_line) # the command runs, so modinit's setup (prctl) is done
child=${child#ready }
init=$(sed 's/^.*) //' "/proc/$child/stat" | cut -d' ' -f2)
echo go >"$WORK/go"
wait "$parent"
expect_eq "-p USR1: the parent's death reaches the command as SIGUSR1" "$(signum USR1)" "$(get_line)"
check "and modinit ends with it" wait_gone "$init" 10
kill -KILL "$init" "$child" 2>/dev/null

# Logging never touches stdout.
out=$(sub -v -v -w -- true 2>/dev/null)
expect_eq "log lines go to stderr only" "" "$out"
finish
