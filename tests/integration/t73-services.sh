#!/bin/sh
# services as PID 1 and as a subreaper: sidecars started in list order, the
# container's status staying the main command's, the stop in reverse order
# once the main command is gone, each service with its own stop signal and
# SIGKILL after its own grace, a required service's end ending the
# container with its status (or exit_code), restarts per policy up to
# max_restarts, user and output passed through untouched, the published
# status, readiness (notify, after_ready, main_after_ready, ready_timeout)
# and no process left behind.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v jq >/dev/null 2>&1 || skip_all "jq is needed to read the status document"
plan 29
MP="--module-path $MODINIT_MODDIR"
ST=$WORK/st
# go: let the process waiting on $WORK/go on, bounded if none waits.
go() { timeout 10 sh -c 'echo go >"$1"' sh "$WORK/go"; }
# modlines FILE: modinit's services lines, pids as P (they differ per run).
modlines() { grep 'services: ' "$1" | sed 's/pid [0-9][0-9]*/pid P/g'; }
svc_status() { jq -r '.modules[] | select(.name == "services") | .status' "$ST/status"; }
# ready_pids N: the pids of N "ready PID" lines on fd 3, in pid order.
ready_pids() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		get_line | sed -n 's/^ready //p'
		_i=$((_i + 1))
	done | sort -n | paste -sd ' '
}

# Three services on one FIFO: a and c say each signal they get (and end
# after one), b ignores SIGTERM. a and b stop with SIGTERM, c with SIGUSR1.
stop_yaml() {
	cat <<EOC
modules:
  - name: services
    services:
      - name: a
        command: [$TESTCHILD, signals, $WORK/log, '1']
      - name: b
        command: [$TESTCHILD, ignore-term, $WORK/log]
        grace: 300ms
      - name: c
        command: [$TESTCHILD, signals, $WORK/log, '1']
        stop_signal: SIGUSR1
EOC
}
stop_lines="modinit: info: services: service a started (pid P)
modinit: info: services: service b started (pid P)
modinit: info: services: service c started (pid P)
modinit: info: services: stopping service c (pid P)
modinit: info: services: service c stopped (exit status 0)
modinit: info: services: stopping service b (pid P)
modinit: warning: services: service b still runs 300 ms after its stop signal: SIGKILL
modinit: info: services: service b stopped (killed by signal 9)
modinit: info: services: stopping service a (pid P)
modinit: info: services: service a stopped (exit status 0)"
stop_status="a down (restarts 0, last exit status 0); b down (restarts 0, last killed by signal 9); c down (restarts 0, last exit status 0)"

# --- PID 1: the main command ends with 3, then the reverse stop ------------
stop_yaml >"$WORK/stop.yaml"
fifo log
mkfifo "$WORK/go"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/stop.yaml" -- sh -c 'read x <"$1"; exit 3' sh "$WORK/go" \
	2>"$WORK/err"
pids=$(ready_pids 3)
expect_match "PID 1: the three services run" '^[0-9]+ [0-9]+ [0-9]+$' "$pids"
go
expect_eq "PID 1: c got its own SIGUSR1 first, then a its SIGTERM (b was killed)" \
	"$(signum USR1) $(signum TERM)" "$(get_line) $(get_line)"
wait "$BG"
expect_eq "PID 1: the container's status is the main command's (3)" 3 "$?"
expect_eq "PID 1: started in order, stopped in reverse, each within its grace" \
	"$stop_lines" "$(modlines "$WORK/err")"
expect_eq "PID 1: the last published status" "$stop_status" "$(svc_status)"

# --- subreaper: the stop signal to modinit, nothing left behind -------------
rm -rf "$ST"
bg_sub $MP --state-dir "$ST" -c "$WORK/stop.yaml" -- sleep 1000 2>"$WORK/err"
pids=$(ready_pids 3)
wait_grep "$ST/status" 'c running'
mp=$(jq -r .main_pid "$ST/status")
expect_match "subreaper: the status while they run" \
	'^a running \(pid [0-9]+, restarts 0, last none\); b running \(pid [0-9]+, restarts 0, last none\); c running \(pid [0-9]+, restarts 0, last none\)$' \
	"$(svc_status)"
kill -TERM "$HOSTPID"
expect_eq "subreaper: c, then a, each with its own signal" \
	"$(signum USR1) $(signum TERM)" "$(get_line) $(get_line)"
wait "$BG"
expect_eq "subreaper: 143, the main command's status on the stop signal" 143 "$?"
expect_eq "subreaper: the same order and lines" "$stop_lines" "$(modlines "$WORK/err")"
gone=yes
for p in $pids $mp; do wait_reaped "$p" 1 || gone="no: $p"; done
expect_eq "subreaper: no service and no command left" yes "$gone"
exec 3<&-

# --- a required service's end ends the container ----------------------------
rm -rf "$ST"
cat >"$WORK/req.yaml" <<EOC
modules:
  - name: services
    services:
      - name: db
        command: [sh, -c, 'read x <$WORK/go; exit 5']
        required: true
        restart: never
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/req.yaml" -- sleep 1000 2>"$WORK/err"
go
wait "$BG"
expect_eq "required: its exit status 5 is the container's" 5 "$?"
expect_eq "required: logged, the main command stopped" \
"modinit: info: services: service db started (pid P)
modinit: warning: services: service db exit status 5: not started again (restart: never, 0 restarts)
modinit: warning: services: required service db exit status 5: ending the container with 5
modinit: info: services: shutdown requested (exit 5): required service db ended" \
	"$(modlines "$WORK/err")"
sed 's/restart: never/restart: never\n        exit_code: 70/' "$WORK/req.yaml" >"$WORK/req70.yaml"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/req70.yaml" -- sleep 1000 2>"$WORK/err"
go
wait "$BG"
expect_eq "required: with exit_code 70" 70 "$?"
expect_eq "required: the line names the code" \
	"modinit: warning: services: required service db exit status 5: ending the container with 70
modinit: info: services: shutdown requested (exit 70): required service db ended" \
	"$(grep required "$WORK/err")"

# --- restarts: on-failure, at most 2 -------------------------------------------
rm -rf "$ST"
cat >"$WORK/rs.yaml" <<EOC
modules:
  - name: services
    services:
      - name: flaky
        command: [sh, -c, 'echo run >>$WORK/runs; exit 1']
        max_restarts: 2
        backoff: 100ms
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/rs.yaml" -- sh -c \
	'until grep -q "not started again" "$1"; do sleep 0.01; done; exit 4' sh "$WORK/err" \
	2>"$WORK/err"
expect_eq "restarts: the main command's status (4): flaky is not required" 4 "$?"
expect_eq "restarts: it ran 1 + 2 times" 3 "$(wc -l <"$WORK/runs")"
expect_eq "restarts: each logged" \
"modinit: info: services: service flaky started (pid P)
modinit: info: services: service flaky exit status 1: starting it again in 100 ms
modinit: info: services: service flaky started (pid P)
modinit: info: services: service flaky exit status 1: starting it again in 100 ms
modinit: info: services: service flaky started (pid P)
modinit: warning: services: service flaky exit status 1: not started again (restart: on-failure, 2 restarts)" \
	"$(modlines "$WORK/err")"
expect_eq "restarts: the status counts them" "flaky down (restarts 2, last exit status 1)" \
	"$(svc_status)"

# --- user, env, cwd, and output passed through untouched ---------------------
rm -rf "$ST"
mkdir "$WORK/srv"
chmod 0755 "$WORK" "$WORK/srv" # the service's user must reach its cwd
cat >"$WORK/out.yaml" <<EOC
modules:
  - name: services
    services:
      - name: hello
        command: [sh, -c, 'echo "\$(id -u):\$(id -g) \$HOME \$USER \$GREETING \$(pwd)"; echo to stderr >&2']
        user: '4242'
        env: {GREETING: hi}
        cwd: $WORK/srv
        restart: never
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/out.yaml" -- sh -c \
	'until grep -q "not started again" "$1"; do sleep 0.01; done' sh "$WORK/err" \
	>"$WORK/out" 2>"$WORK/err"
expect_eq "output: the main command's status (0)" 0 "$?"
expect_eq "output: its stdout is modinit's, as written; ids, HOME, USER, env, cwd" \
	"4242:4242 / 4242 hi $WORK/srv" "$(cat "$WORK/out")"
expect_eq "output: its stderr too" "to stderr" "$(grep -v '^modinit: ' "$WORK/err")"

# --- readiness: web waits for db's READY=1, the main command for both -------
rm -rf "$ST"
SDN="python3 $MODINIT_SRCDIR/tests/helpers/sdnotify.py"
rm -f "$WORK/go"
mkfifo "$WORK/go"
cat >"$WORK/ready.yaml" <<EOC
modules:
  - name: services
    main_after_ready: true
    services:
      - name: db
        command: [sh, -c, 'echo db >>$WORK/order; read x <$WORK/go; exec $SDN READY=1 sleep 1000']
        notify: true
      - name: web
        command: [sh, -c, 'echo web >>$WORK/order; exec sleep 1000']
        after_ready: true
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/ready.yaml" -- sh -c \
	'until grep -qx web "$1"; do sleep 0.01; done; echo main >>"$1"; exit 7' sh "$WORK/order" \
	2>"$WORK/err"
wait_grep "$WORK/order" db
expect_eq "readiness: while db is not ready, only db runs" db "$(cat "$WORK/order")"
expect_match "readiness: db starting, web waiting, in the status" \
	'^db starting \(pid [0-9]+, restarts 0, last none\); web waiting ' "$(svc_status)"
go
wait "$BG"
expect_eq "readiness: the main command's status (7)" 7 "$?"
# The main command waits for web's line: it ends the run, and web, forked
# just before it (the lines below), might not have written yet.
expect_eq "readiness: db, web and the main command ran" \
	"db web main" "$(paste -sd ' ' "$WORK/order")"
expect_eq "readiness: the lines say why" \
"modinit: info: services: service db started (pid P)
modinit: info: services: service db is ready
modinit: info: services: service web started (pid P)
modinit: info: services: every service is ready: starting the main command" \
	"$(modlines "$WORK/err" | grep -v 'stopp')"

# --- ready_timeout: a required service that never becomes ready --------------
rm -rf "$ST"
cat >"$WORK/rt.yaml" <<EOC
modules:
  - name: services
    main_after_ready: true
    services:
      - name: slow
        command: [sleep, '1000']
        notify: true
        ready_timeout: 200ms
        required: true
        restart: never
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/rt.yaml" -- sh -c 'echo main >>"$1"' sh "$WORK/order2" \
	2>"$WORK/err"
expect_eq "ready_timeout: the killed service's status ends the container (137)" 137 "$?"
expect_eq "ready_timeout: the main command never started" no \
	"$(test -e "$WORK/order2" && echo yes || echo no)"
expect_eq "ready_timeout: SIGKILL after 200 ms, then the required rule" \
"modinit: info: services: service slow started (pid P)
modinit: warning: services: service slow is not ready 200 ms after its start: SIGKILL" \
	"$(modlines "$WORK/err" | sed -n 1,2p)"
finish
