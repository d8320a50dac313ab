#!/bin/sh
# The tini personality, through symlinks named tini and docker-init and
# through --compat=tini: tini's own scenarios (exit status, -e, signal
# forwarding to the child or its group, zombies reaped as PID 1 and as a
# subreaper, the verbosity and its variable, the exit with the command), a
# --version line Docker's parser takes, and modinit's move to / once the
# command runs, in the native personality too.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 45

. "$MODINIT_SRCDIR/tests/integration/compat.sh"
compat_link tini
compat_link docker-init
T=$WORK/tini
unset TINI_SUBREAPER TINI_KILL_PROCESS_GROUP TINI_VERBOSITY

# as NAME ARGS: the personality under NAME, as PID 1 of a new namespace;
# sub_as NAME ARGS: as an ordinary process; compat ARGS: --compat=tini.
as() {
	_name=$1; shift
	timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc \
		$MODINIT_WRAPPER "$WORK/$_name" "$@"
}
sub_as() {
	_name=$1; shift
	timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$WORK/$_name" "$@"
}
compat() { pid1 --compat=tini "$@"; }

# Exit status: the command's, or 128+N for signal N.
for how in "as tini" "as docker-init" compat; do
	bad=
	for code in 0 1 2 127 255; do
		$how -- sh -c "exit $code" 2>/dev/null
		rc=$?
		[ "$rc" = "$code" ] || bad="$bad $code->$rc"
	done
	for s in TERM KILL; do
		n=$(signum "$s")
		$how -- sh -c "kill -$n \$\$" 2>/dev/null
		rc=$?
		[ "$rc" = $((128 + n)) ] || bad="$bad $s->$rc"
	done
	expect_eq "$how: the command's status, 128+N for a signal" "" "$bad"
done

# -e CODE: that code becomes 0; repeatable, every code 0-254 at once.
as tini -e 3 -- sh -c 'exit 3'
expect_eq "-e 3: exit 3 becomes 0" 0 "$?"
as tini -e 3 -- sh -c 'exit 4'
expect_eq "-e 3: exit 4 stays" 4 "$?"
compat -e 143 -- sh -c 'kill $$'
expect_eq "-e 143: a SIGTERM death becomes 0" 0 "$?"
all=
i=0
while [ "$i" -le 254 ]; do all="$all -e $i"; i=$((i + 1)); done
as tini $all -- sh -c 'exit 200'
expect_eq "255 times -e (0-254): exit 200 becomes 0" 0 "$?"
as tini $all -- sh -c 'exit 255'
expect_eq "and exit 255, not among them, stays" 255 "$?"
err=$(as tini -e 256 -- true 2>&1)
expect_eq "-e 256: a usage error, tini's 1" 1 "$?"
expect_eq "with one line" 'modinit: error: -e: expected an exit code 0-255, got "256"' "$err"

# --version: one line Docker's parser takes ("... - git.ID", ID without a
# dot); alone only.
for name in tini docker-init; do
	v=$(sub_as "$name" --version)
	expect_eq "$name --version: exit 0" 0 "$?"
	id=${v#* - git.}
	check "$name --version: \"$v\" has \" - git.ID\" with a one-word ID" \
		test "$id" != "$v" -a -n "$id" -a "${id#*[. ]}" = "$id"
done
expect_match "the rest is modinit's" "^modinit [0-9.]+ \\(tini personality\\) - git\\.[^.]+$" "$v"
sub_as tini --version -- true >/dev/null 2>&1
expect_eq "--version with more arguments: a usage error" 1 "$?"

# -h and -l on stdout, exit 0; no command and unknown options: 1.
out=$(sub_as tini -h 2>/dev/null)
expect_eq "-h: exit 0" 0 "$?"
expect_match "the help, on stdout" '^Usage: tini \[OPTIONS\]' "$out"
out=$(sub_as tini -l 2>/dev/null)
expect_eq "-l: exit 0" 0 "$?"
expect_match "modinit's license summary, on stdout" '^modinit [0-9.]+ \(git [^)]*\), a container init' \
	"$out"
err=$(sub_as tini 2>&1)
expect_eq "no command: 1" 1 "$?"
expect_eq "with one line" "modinit: error: no command given (see -h)" "$err"
err=$(sub_as tini -x -- true 2>&1)
expect_eq "an unknown option: 1, one line" "1 modinit: error: unknown option '-x' (see -h)" "$? $err"
err=$(sub_as tini -p NOPE -- true 2>&1)
expect_eq "-p with no signal: 1, one line" \
	'1 modinit: error: -p: expected a signal like SIGKILL, got "NOPE"' "$? $err"
as tini -p SIGKILL -- true
expect_eq "-p SIGKILL is taken" 0 "$?"

# Signals reach the child, as PID 1 and as a subreaper.
fifo sig
timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc $MODINIT_WRAPPER "$T" -- \
	"$TESTCHILD" signals "$WORK/sig" 3 &
BG=$!
HOSTPID=$(child_of "$(child_of "$BG")")
get_line >/dev/null
got=
for s in USR1 HUP TERM; do kill -s "$s" "$HOSTPID"; got="$got $(get_line)"; done
wait "$BG"
rc=$?
expect_eq "as PID 1, USR1 HUP TERM reach the child" " $(signum USR1) $(signum HUP) $(signum TERM)" \
	"$got"
expect_eq "which exits 0 after them, and so does modinit" 0 "$rc"
exec 3<&-
rm -f "$WORK/sig"

# -g and TINI_KILL_PROCESS_GROUP: SIGTERM to the group ends the shell's
# background sleep too; without either the sleep is left (and, tini
# exiting with the shell, never signalled).
bg_tini() {
	timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$T" "$@" &
	BG=$!
	HOSTPID=$(child_of "$BG")
}
term_group_case bg_tini -g --
expect_eq "-g: SIGTERM ends the shell: 143" 143 "$rc"
check "and its background sleep: the group got it" wait_gone "$left"
TINI_KILL_PROCESS_GROUP= term_group_case bg_tini --
check "TINI_KILL_PROCESS_GROUP (set, even empty): the same" wait_gone "$left"
term_group_case bg_tini --
expect_eq "without either, SIGTERM ends the shell: 143" 143 "$rc"
check "and the sleep lives on" test "$(state_of "$left")" = S
kill -KILL "$left" 2>/dev/null

# Zombies: reaped as PID 1, and as a subreaper with -s or TINI_SUBREAPER.
out=$(as tini -- "$TESTCHILD" orphans 20)
expect_eq "as PID 1, 20 orphans reaped" "0 zombies=0" "$? $out"
out=$(sub_as tini -s -- "$TESTCHILD" orphans 20)
expect_eq "-s: as a subreaper, too" "0 zombies=0" "$? $out"
out=$(TINI_SUBREAPER= sub_as tini -- "$TESTCHILD" orphans 20)
expect_eq "TINI_SUBREAPER: the same" "0 zombies=0" "$? $out"

# Verbosity: tini's default says only warnings; -v counts; TINI_VERBOSITY
# replaces the count; -w warns about every zombie reaped.
err=$(sub_as tini -- true 2>&1)
expect_eq "nothing said by default" "" "$err"
err=$(sub_as tini -v -- true 2>&1)
expect_eq "-v: info (tini counts from its default 1)" "modinit: info: not PID 1: registered as a child subreaper" "$err"
err=$(TINI_VERBOSITY=0 sub_as tini -vvv -- true 2>&1)
expect_eq "TINI_VERBOSITY=0 wins over -vvv" "" "$err"
err=$(TINI_VERBOSITY=3 sub_as tini -- true 2>&1)
expect_match "TINI_VERBOSITY=3: debug" "^modinit: debug: started 'true' as pid" "$err"
err=$(as tini -w -- sh -c 'sh -c "exit 7" & exec sleep 0.5' 2>&1)
expect_match "-w: the adopted zombie is reported" '^modinit: warning: reaped zombie pid [0-9]+ \(exit 7\)$' \
	"$err"

# tini exits with its command: what is left is neither waited for nor
# signalled (as PID 1 the kernel ends it with the namespace).
rm -f "$WORK/left"
start=$(date +%s)
sub_as tini -- sh -c 'sleep 300 & echo $! >"$1"' sh "$WORK/left"
rc=$?
left=$(cat "$WORK/left")
expect_eq "the command exits 0: so does modinit, at once" "0 yes" \
	"$rc $([ $(($(date +%s) - start)) -lt 5 ] && echo yes)"
check "its background sleep was left running" test "$(state_of "$left")" = S
kill -KILL "$left" 2>/dev/null

# The working directory: modinit moves to / once the command runs (tini
# and native), the command keeps the one modinit was started in.
cwd_case() {
	(cd "$WORK" && exec timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$@" sleep 300 2>/dev/null) &
	BG=$!
	HOSTPID=$(child_of "$BG")
	cmd=$(child_of "$HOSTPID")
	_n=500
	while [ "$(readlink "/proc/$HOSTPID/cwd")" != / ] && [ "$_n" -gt 0 ]; do
		sleep 0.01
		_n=$((_n - 1))
	done
	cwds="$(readlink "/proc/$HOSTPID/cwd") $(readlink "/proc/$cmd/cwd")"
	kill -TERM "$HOSTPID"
	wait "$BG"
}
cwd_case "$T" --
expect_eq "tini: modinit in /, the command where it was started" "/ $WORK" "$cwds"
cwd_case "$MODINIT_BIN" --
expect_eq "native: the same" "/ $WORK" "$cwds"
cwd_case "$MODINIT_BIN" --compat=tini -g --
expect_eq "--compat=tini: the same" "/ $WORK" "$cwds"
finish
