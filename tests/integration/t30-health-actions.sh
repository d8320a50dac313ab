#!/bin/sh
# healthcheck's actions and roles as PID 1: restart with its count, backoff
# and final exit code; a restart that cures the command; signal:SIG to the
# command; startup checks holding back liveness checks; readiness that is
# only published; exec mode refusing the module.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 22
MP="--module-path $MODINIT_MODDIR"
ST=$WORK/st

# --- restart: max 2, backoff 100ms doubling to a 150ms cap, then exit 5 ---
cat >"$WORK/restart.yaml" <<EOC
modules:
  - name: healthcheck
    on_unhealthy: restart
    restart: {max: 2, backoff: 100ms, max_backoff: 150ms, exit_code: 5}
    checks:
      - name: app
        exec: [sh, -c, 'test -e $WORK/never']
        interval: 100ms
        retries: 1
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/restart.yaml" -- \
	sh -c "echo started >>'$WORK/starts'; exec sleep 1000" 2>"$WORK/err"
expect_eq "restart: after 2 restarts the container ends with exit_code 5" 5 "$?"
expect_eq "restart: the command ran 3 times" 3 "$(wc -l <"$WORK/starts")"
expect_eq "restart: each restart logged with its backoff, then the end" \
	"modinit: warning: healthcheck: check app is unhealthy: restarting the main command (restart 1 of 2, 100 ms after it stops)
modinit: warning: healthcheck: check app is unhealthy: restarting the main command (restart 2 of 2, 150 ms after it stops)
modinit: warning: healthcheck: check app is unhealthy after 2 restarts: ending the container with 5" \
	"$(grep 'healthcheck: check app is unhealthy' "$WORK/err")"
expect_match "restart: the status counts the restarts" '"status": "unhealthy", "ready": false, "restarts": 2,' \
	"$(status_detail "$ST")"
expect_eq "restart: each check starts over after a restart (one unhealthy line per run)" 3 \
	"$(grep -c 'check app (liveness) is unhealthy' "$WORK/err")"

# --- a restart that cures it: the second run creates the file the check wants ---
rm -rf "$ST" "$WORK/starts"
# A start period gives the second run time to cure before its failures
# count: with the 100 ms interval alone, a loaded machine let a probe fail
# before the second run's shell got to its touch, and restarted it again.
sed -e "s|test -e $WORK/never|test -e $WORK/cured|" \
	-e 's|^        retries: 1$|        retries: 1\n        start_period: 2s|' \
	"$WORK/restart.yaml" >"$WORK/cure.yaml"
fifo curefifo
bg_pid1 $MP --state-dir "$ST" -c "$WORK/cure.yaml" -- sh -c "
	echo started >>'$WORK/starts'
	if [ \$(wc -l <'$WORK/starts') -ge 2 ]; then touch '$WORK/cured'; echo cured >'$WORK/curefifo'; fi
	exec sleep 1000" 2>"$WORK/err"
expect_eq "restart: the second run is told it was restarted" cured "$(get_line)"
check "restart: the check becomes healthy after the restart" wait_grep "$ST/status" "$(health_re healthy true)"
expect_match "restart: one restart counted" '"status": "healthy", "ready": true, "restarts": 1,' \
	"$(status_detail "$ST")"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "restart: the restarted command still gets the stop signal (143)" 143 "$?"
expect_eq "restart: the command ran twice" 2 "$(wc -l <"$WORK/starts")"
exec 3<&-

# --- signal:SIGUSR1 reaches the command, which exits 0 on it ---
rm -rf "$ST"
cat >"$WORK/sig.yaml" <<EOC
modules:
  - name: healthcheck
    on_unhealthy: signal:SIGUSR1
    checks:
      - name: app
        exec: [sh, -c, 'test -e $WORK/never']
        interval: 100ms
        retries: 2
EOC
fifo sig
bg_pid1 $MP --state-dir "$ST" -c "$WORK/sig.yaml" -- "$TESTCHILD" signals "$WORK/sig" 1 2>"$WORK/err"
get_line >/dev/null
expect_eq "signal: the command receives SIGUSR1" "$(kill -l USR1)" "$(get_line)"
wait "$BG"
expect_eq "signal: the command ended on it, with its own status 0" 0 "$?"
expect_match "signal: logged" 'healthcheck: check app is unhealthy: sent SIGUSR1 to the main command' \
	"$(cat "$WORK/err")"
exec 3<&-

# --- roles: startup holds liveness back; readiness is only published ---
rm -rf "$ST"
cat >"$WORK/roles.yaml" <<EOC
modules:
  - name: healthcheck
    on_unhealthy: exit:3
    checks:
      - name: boot
        role: startup
        exec: [sh, -c, 'echo b >>$WORK/boot.log; test -e $WORK/booted']
        interval: 100ms
        retries: 1000
      - name: live
        exec: [sh, -c, 'echo l >>$WORK/live.log']
        interval: 100ms
      - name: ready
        role: readiness
        exec: [sh, -c, 'test -e $WORK/ready']
        interval: 100ms
        retries: 1
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/roles.yaml" -- sleep 1000 2>"$WORK/err"
check "roles: the startup check runs" wait_grep "$WORK/boot.log" 'b' 
wait_grep "$ST/status" '"name\\": \\"ready\\", \\"role\\": \\"readiness\\", \\"status\\": \\"unhealthy\\"'
check "roles: no liveness probe before startup passed" test ! -e "$WORK/live.log"
expect_eq "roles: still starting while the startup check fails" "running|starting false" \
	"$(health_of "$ST")"
touch "$WORK/booted"
check "roles: healthy once startup passed and liveness ran" wait_grep "$ST/status" "$(health_re healthy false)"
check "roles: the liveness check has run" test -s "$WORK/live.log"
# Asked inside modinit's namespace, where the pid in the file is its own.
nsenter -t "$HOSTPID" -p -m "$MODINIT_BIN" --health --state-dir "$ST" >/dev/null 2>&1
st_live=$?
nsenter -t "$HOSTPID" -p -m "$MODINIT_BIN" --health=ready --state-dir "$ST" >/dev/null 2>&1
expect_eq "roles: healthy but not ready: --health 0, --health=ready 1" "0 1" "$st_live $?"
touch "$WORK/ready"
check "roles: ready once the readiness check passes" wait_grep "$ST/status" "$(health_re healthy true)"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "roles: a failing readiness check never triggered exit:3" 143 "$?"

# --- exec mode has no running init for the checks ---
err=$(pid1 $MP -m exec -c "$WORK/sig.yaml" -- true 2>&1)
expect_eq "exec mode refuses healthcheck (78), naming both" \
	"78|modinit: error: module \"healthcheck\" needs a running init, but \"exec\" replaces modinit with the command" \
	"$?|$err"
finish
