#!/bin/sh
# hooks, as PID 1 (some cases also as a subreaper): the pre-start hooks run
# one after another before the main command, the directory's executable
# files in name order after the list; the first failure (or timeout) ends
# the run with exit_code and one line naming the hook, the command never
# starting; the stop signal during a hook ends the run with 143. The
# post-stop hooks run after the command ended, before modinit exits, with
# MODINIT_EXIT_STATUS, on a stop signal too, and a hook that outlives the
# grace is stopped with the rest. In the static pass it is the built-in.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 22
MP="--module-path $MODINIT_MODDIR"
LOG=$WORK/log
# The core's line for the module's request, after a failed pre-start hook.
REQ="modinit: info: hooks: shutdown requested (exit 1): a pre_start hook failed"
SUBLINE="modinit: info: not PID 1: registered as a child subreaper"
quiet() { grep -vxF "$SUBLINE" "$1"; }

# --- pre_start: in order, all before the command ---
cat >"$WORK/pre.yaml" <<EOF
modules:
  - name: hooks
    pre_start:
      - [sh, -c, 'echo one >>$LOG']
      - [sh, -c, 'echo two >>$LOG']
EOF
for how in pid1 sub; do
	rm -f "$LOG"
	out=$($how $MP -c "$WORK/pre.yaml" -- sh -c 'cat "$0"; exit 4' "$LOG" 2>"$WORK/err")
	expect_eq "$how: the command ran after both hooks, with its status" "4|one
two" "$?|$out"
	expect_eq "$how: nothing on stderr" "" "$(quiet "$WORK/err")"
done

# --- pre_start_dir: executable files in name order, after the list ---
mkdir "$WORK/pre.d"
for f in 20-b 10-a 30-off; do
	printf '#!/bin/sh\necho %s >>%s\n' "$f" "$LOG" >"$WORK/pre.d/$f"
done
chmod 0755 "$WORK/pre.d/20-b" "$WORK/pre.d/10-a"
chmod 0644 "$WORK/pre.d/30-off"
cat >"$WORK/dir.yaml" <<EOF
modules:
  - name: hooks
    pre_start: [[sh, -c, 'echo list >>$LOG']]
    pre_start_dir: $WORK/pre.d
EOF
rm -f "$LOG"
out=$(pid1 $MP -c "$WORK/dir.yaml" -- cat "$LOG" 2>&1)
expect_eq "pre_start_dir: the list, then 10-a, 20-b; not the file without x" "0|list
10-a
20-b" "$?|$out"

# --- the first failure ends the run; the command never starts ---
cat >"$WORK/fail.yaml" <<EOF
modules:
  - name: hooks
    pre_start:
      - [sh, -c, 'echo one >>$LOG; exit 3']
      - [sh, -c, 'echo two >>$LOG']
EOF
rm -f "$LOG" "$WORK/started"
out=$(pid1 $MP -c "$WORK/fail.yaml" -- touch "$WORK/started" 2>&1)
expect_eq "a failing hook: exit 1 (the default) and the line" \
	"1|modinit: error: hooks: pre_start hook 'sh' failed (exit status 3): not starting the main command
$REQ" \
	"$?|$out"
check "the command never started" test ! -e "$WORK/started"
expect_eq "the hooks after the failed one do not run" "one" "$(cat "$LOG")"
printf 'modules:\n  - name: hooks\n    pre_start: [[false]]\n    exit_code: 7\n' >"$WORK/seven.yaml"
sub $MP -c "$WORK/seven.yaml" -- touch "$WORK/started" 2>/dev/null
expect_eq "exit_code: 7 (subreaper)" 7 "$?"
printf 'modules:\n  - name: hooks\n    pre_start: [[no-such-hook-%s]]\n' "$$" >"$WORK/nf.yaml"
out=$(pid1 $MP -c "$WORK/nf.yaml" -- touch "$WORK/started" 2>&1)
expect_eq "a hook that is not found: 127 is its failure" \
	"1|modinit: error: hooks: pre_start hook 'no-such-hook-$$' failed (exit status 127): not starting the main command
$REQ" \
	"$?|$out"

# --- timeout: the hook's group is killed, the run ends ---
printf 'modules:\n  - name: hooks\n    pre_start: [[sleep, "30"]]\n    timeout: 300ms\n' >"$WORK/slow.yaml"
t0=$(date +%s)
out=$(pid1 $MP -c "$WORK/slow.yaml" -- touch "$WORK/started" 2>&1)
rc=$?
t1=$(date +%s)
expect_eq "a hook past its timeout: exit 1" 1 "$rc"
expect_eq "the timeout's lines" \
	"modinit: warning: hooks: helper 'sleep' (pid N) still running after 300 ms: SIGKILL to its process group
modinit: error: hooks: pre_start hook 'sleep' failed (timed out after 300 ms): not starting the main command
$REQ" \
	"$(printf '%s\n' "$out" | sed 's/(pid [0-9]*)/(pid N)/')"
check "well before the hook's own end" test $((t1 - t0)) -lt 10

# --- the stop signal while a hook runs ---
fifo hook
printf 'modules:\n  - name: hooks\n    pre_start: [[sh, -c, "echo ready $$$$ >%s; exec sleep 30"]]\n' \
	"$WORK/hook" >"$WORK/held.yaml"
bg_pid1 $MP -c "$WORK/held.yaml" -- touch "$WORK/started" 2>"$WORK/err"
line=$(get_line)
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "SIGTERM during a hook: 143, the command never started" "143|no" \
	"$?|$(test -e "$WORK/started" && echo yes || echo no)"
expect_match "the hook had run" '^ready [0-9]+$' "$line"
exec 3<&-

# --- post_stop: after the command, with its status, before modinit ends ---
cat >"$WORK/post.yaml" <<EOF
modules:
  - name: hooks
    pre_start: [[sh, -c, 'echo pre >>$LOG']]
    post_stop:
      - [sh, -c, 'echo "post \$MODINIT_EXIT_STATUS" >>$LOG; exit 2']
      - [sh, -c, 'echo "last \$MODINIT_EXIT_STATUS" >>$LOG']
EOF
for how in pid1 sub; do
	rm -f "$LOG"
	$how $MP -c "$WORK/post.yaml" -- sh -c 'echo main >>"$0"; exit 5' "$LOG" 2>"$WORK/err"
	rc=$?
	expect_eq "$how: post_stop ran after the command, in order, with its status" "5|pre
main
post 5
last 5" "$rc|$(cat "$LOG")"
	expect_eq "$how: a failed post_stop hook is a warning" \
		"modinit: warning: hooks: post_stop hook 'sh' failed (exit status 2)" "$(quiet "$WORK/err")"
done

# On a stop signal: the command gets it first, the hooks run after.
fifo ready
rm -f "$LOG"
bg_pid1 $MP -c "$WORK/post.yaml" -- "$TESTCHILD" ready "$WORK/ready" 2>/dev/null
get_line >/dev/null
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "SIGTERM: 143, post_stop saw 143" "143|pre
post 143
last 143" "$?|$(cat "$LOG")"
exec 3<&-

# A post_stop hook that outlives the grace is stopped with the rest.
printf 'modules:\n  - name: hooks\n    post_stop: [[sleep, "30"]]\n' >"$WORK/long.yaml"
t0=$(date +%s)
out=$(pid1 $MP --grace 500ms -c "$WORK/long.yaml" -- true 2>&1)
rc=$?
t1=$(date +%s)
expect_eq "a post_stop hook past the grace: the command's status and the warning" \
	"0|modinit: warning: grace period of 500 ms over with the stop still held by hooks: stopping what is left
modinit: warning: hooks: post_stop hook 'sleep' failed (killed by signal 15)" \
	"$rc|$out"
check "and modinit ended well before the hook would have" test $((t1 - t0)) -lt 10
finish
