#!/bin/sh
# The 1.1 services for modules, as PID 1 with the fixture module
# tests/fixtures/modules/services.c (svc-a, svc-b): signal_helper signals the
# module's own helpers (alone or with their group) and refuses every other
# pid; the spawn options (environment, directory, ids and groups, session,
# output capture, timeout) with their failures; on_reap sees every reaped
# process after the other hooks; last_main_pid; wall_ms. svc-early, a 1.1
# module from before these fields, still runs and is never read past its
# sizes. (A 1.0 module: t50.)
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
trusted_work
so_only "host services are driven by a fixture module"
plan 26
S=$MODINIT_BUILDDIR/tests/fixtures/modules/svc/.libs
D=$WORK/d
mkdir "$D"

# The commands below wait for lines of the module's event file, bounded
# (30 s): exit 9 if one never comes.
cat >"$WORK/waitfor.sh" <<'EOS'
waitfor() {
	_n=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		sleep 0.01
		_n=$((_n + 1))
		[ "$_n" -lt 3000 ] || exit 9
	done
}
EOS

# sorted LINES-REGEX FILE: the matching lines, sorted (their order is the
# kernel's, not the module's).
sorted() { grep -E -- "$1" "$2" | LC_ALL=C sort; }

# --- signal_helper, on_reap, last_main_pid, wall_ms -----------------------
cat >"$WORK/sig.yaml" <<EOC
modules:
  - name: svc-b
    dir: $D
    case: peer
  - name: svc-a
    dir: $D
    case: signals
EOC
# The command leaves an orphan (the subshell's sleep comes to modinit),
# asks the module to act (SIGUSR1), checks the orphan survived, and waits
# for the module's helpers (and h2's child, through the group) to be gone.
cat >"$WORK/sig.sh" <<'EOS'
. "$0.lib"
D=$1
E=$D/ev-svc-a
(sleep 1000 & echo $! >"$D/orphan.pid")
# h2 has started its child (the module labels it from gc.pid).
_n=0
until [ -s "$D/gc.pid" ]; do sleep 0.01; _n=$((_n + 1)); [ "$_n" -lt 3000 ] || exit 9; done
kill -USR1 1
waitfor "$E" '^usr1 done'
kill -0 "$(cat "$D/orphan.pid")" && echo alive >"$D/orphan.alive"
waitfor "$E" '^done h1 '
waitfor "$E" '^done h2 '
waitfor "$E" '^done h3 '
waitfor "$E" '^reap orphan gc '
exit 7
EOS
cp "$WORK/waitfor.sh" "$WORK/sig.sh.lib"
before=$(date +%s%3N)
pid1 --module-path "$S" -c "$WORK/sig.yaml" -- sh "$WORK/sig.sh" "$D" >/dev/null 2>"$WORK/err-sig"
expect_eq "signals case: the command's own status (no helper signal reached it)" 7 "$?"
after=$(date +%s%3N)
E=$D/ev-svc-a
expect_eq "signal_helper: own helpers accepted, everything else refused" \
"signal peer: EPERM
signal pid 0: ESRCH
signal pid -1: ESRCH
signal bad signal: EINVAL
signal group of a helper without one: EINVAL
signal check h1: 0
signal check h2 group: 0
signal main: ESRCH
signal orphan: ESRCH
signal orphan group: ESRCH
signal h1: 0
signal h2 group: 0" "$(grep '^signal [^r]' "$E")"
expect_eq "a reaped helper is refused, even inside its own exit callback" \
"signal reaped h1: ESRCH
signal reaped h2: ESRCH
signal reaped h3: ESRCH" "$(sorted '^signal reaped' "$E")"
expect_eq "the helpers it signalled ended by that signal" \
"done h1 signal 15
done h2 signal 15
done h3 exit 0" "$(sorted '^done' "$E")"
check "the orphan it was refused survived until the shutdown" test -e "$D/orphan.alive"
expect_eq "the other module's helper died of the shutdown's SIGTERM, not of the refused SIGKILL" \
	"done peer signal 15" "$(grep '^done' "$D/ev-svc-b")"
expect_eq "on_reap saw every process: main, helpers of both modules, orphans" \
"reap helper h1 signal 15
reap helper h2 signal 15
reap helper h3 exit 0
reap helper peer signal 15
reap main main exit 7
reap orphan gc signal 15
reap orphan orphan signal 15" "$(sorted '^reap' "$E")"
# Observer after the hooks: each done line before its reap line, on_main_exit
# before the main's reap line.
lineno() { grep -n -m1 -- "$1" "$E" | cut -d: -f1; }
order=ok
for p in 'done h1|reap helper h1' 'done h2|reap helper h2' 'done h3|reap helper h3' \
	'main_exit|reap main'; do
	[ "$(lineno "^${p%|*}")" -lt "$(lineno "^${p#*|}")" ] || order="not ok: $p"
done
expect_eq "on_reap runs after the helper's callback and after on_main_exit" ok "$order"
expect_eq "last_main_pid in on_main_exit and on_exit; main_pid is 0 by then" \
"main_exit exit 7 last_main_pid same main_pid 0
exit 7 last_main_pid same" "$(grep -E '^(main_exit|exit)' "$E")"
wall=$(sed -n 's/^wall //p' "$E")
check "wall_ms is the wall clock ($before <= $wall <= $after)" \
	test "$before" -le "$wall" -a "$wall" -le "$after"
expect_eq "nothing on stderr (signals)" "" "$(cat "$WORK/err-sig")"

# --- spawn options -----------------------------------------------------------
D=$WORK/s
mkdir "$D" "$D/wd"
: >"$D/noexec"
cat >"$WORK/spawn.yaml" <<EOC
modules:
  - name: svc-a
    dir: $D
    case: spawn
EOC
cat >"$WORK/spawn.sh" <<'EOS'
. "$0.lib"
E=$1/ev-svc-a
for h in ids env chdir absent notexec flood intime; do waitfor "$E" "^done $h "; done
waitfor "$E" '^eof ids'
waitfor "$E" '^eof env'
# The flooder's child, if it got to start one before its timeout.
if [ -s "$1/gc.pid" ]; then waitfor "$E" '^reap orphan gc '; fi
exit 0
EOS
cp "$WORK/waitfor.sh" "$WORK/spawn.sh.lib"
pid1 --module-path "$S" -c "$WORK/spawn.yaml" -- sh "$WORK/spawn.sh" "$D" >/dev/null 2>"$WORK/err-spawn"
expect_eq "spawn case: the command's status" 0 "$?"
E=$D/ev-svc-a
expect_eq "ids and groups dropped, directory, added environment, stderr captured, new session" \
"out ids 4320
out ids 4321
out ids 4321 4322 4323
out ids $D/wd
out ids FOO=bar HOME=/nowhere
out ids err
out ids leader" "$(grep '^out ids' "$E")"
expect_eq "a replaced environment is exactly the one given" \
"out env A=1
out env B=2" "$(grep '^out env' "$E")"
expect_eq "capture read ends are non-blocking and close on exec" \
"capture ids nonblock cloexec
capture env nonblock cloexec
capture flood nonblock cloexec" "$(grep '^capture' "$E")"
expect_eq "failures: chdir 126, not found 127, not executable 126; timeout SIGKILL" \
"done absent exit 127
done chdir exit 126
done env exit 0
done flood signal 9
done ids exit 0
done intime exit 0
done notexec exit 126" "$(sorted '^done' "$E")"
# The kill comes when it comes: a flooder that had not started its child by
# then has none (test_services checks the group kill itself, kill(-pid)).
want=
[ -s "$D/gc.pid" ] && want="reap orphan gc signal 9"
expect_eq "the timeout killed the flooding helper's whole group (its child too)" \
	"$want" "$(grep '^reap orphan' "$E" | grep -v '^reap orphan other signal 9$')"
[ -n "$want" ] || diag "the flooder was killed before it started its child"
expect_eq "every spawn was accepted" 7 "$(grep -c '^spawn [a-z]* 0$' "$E")"
expect_eq "one line for the failed chdir, one for the timeout, nothing else" \
"modinit: error: svc-a: helper 'true': chdir($D/missing): No such file or directory
modinit: warning: svc-a: helper 'sh' (pid N) still running after 1000 ms: SIGKILL to its process group" \
	"$(sed 's/(pid [0-9]*)/(pid N)/' "$WORK/err-spawn")"

# A module that asks for a bad combination gets -EINVAL and nothing runs:
# covered by test_services (unit), with the fake host's twin of the checks.

# --- a failing id change: modinit itself unprivileged --------------------------
D=$WORK/u
mkdir "$D"
chown 4330:4330 "$D"
cat >"$WORK/drop.yaml" <<EOC
modules:
  - name: svc-a
    dir: $D
    case: drop
EOC
cp "$WORK/waitfor.sh" "$WORK/drop.sh.lib"
printf '. "$0.lib"\nwaitfor "$1/ev-svc-a" "^done drop "\n' >"$WORK/drop.sh"
timeout -k 5 "$LIMIT" setpriv --reuid=4330 --regid=4330 --clear-groups $MODINIT_WRAPPER \
	"$MODINIT_BIN" --module-path "$S" -c "$WORK/drop.yaml" -- sh "$WORK/drop.sh" "$D" \
	>/dev/null 2>"$WORK/err-drop"
expect_eq "unprivileged modinit: the command's status" 0 "$?"
expect_eq "setgroups refused: the helper exits 126" "done drop exit 126" \
	"$(grep '^done' "$D/ev-svc-a")"
expect_eq "one line naming the call" \
	"modinit: error: svc-a: helper 'true': setgroups: Operation not permitted" \
	"$(grep helper "$WORK/err-drop")"

# --- a 1.1 module from before these fields ---------------------------------------
D=$WORK/e
mkdir "$D"
cat >"$WORK/early.yaml" <<EOC
modules:
  - name: svc-early
    dir: $D
    case: early
EOC
cp "$WORK/waitfor.sh" "$WORK/early.sh.lib"
printf '. "$0.lib"\nwaitfor "$1/ev-svc-early" "^done early "\nexit 4\n' >"$WORK/early.sh"
(cd "$D" && unset FOO && pid1 --module-path "$S" -c "$WORK/early.yaml" -- sh "$WORK/early.sh" "$D" \
	>/dev/null 2>"$WORK/err-early")
expect_eq "an early 1.1 module runs (its poisoned on_reap never called)" 4 "$?"
expect_eq "its hooks ran, and no on_reap" \
"spawn early 0
done early exit 0
main_exit exit 4
exit 4" "$(cat "$D/ev-svc-early")"
expect_eq "its short spawn options: no field past size read (root, no env, its directory)" \
"0

$D" "$(cat "$D/early.out")"
expect_eq "nothing on stderr (early)" "" "$(cat "$WORK/err-early")"

finish
