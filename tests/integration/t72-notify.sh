#!/bin/sh
# notify as PID 1 and as a subreaper: NOTIFY_SOCKET in the state directory
# (and abstract), READY=1 from the main command flipping modinit
# --health=ready and the status document, a sender outside the command's
# tree ignored (a process of the namespace modinit did not start, and, for
# the subreaper, the test itself), s6's notification_fd, the ready timeout's
# action, the watchdog restarting the command and then ending the container,
# a fed watchdog, no wakeup while nothing is due, and nothing left behind.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the notify client"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed to read the status document"
plan 31
MP="--module-path $MODINIT_MODDIR"
ST=$WORK/st
# go: let the process waiting on $WORK/go on, bounded if none waits.
go() { timeout 10 sh -c 'echo go >"$1"' sh "$WORK/go"; }
SDN="python3 $MODINIT_SRCDIR/tests/helpers/sdnotify.py"

# ready [nsenter args]: modinit --health=ready's exit status.
ready() {
	"$@" "$MODINIT_BIN" --health=ready --state-dir "$ST" >/dev/null 2>&1
	echo $?
}
main_pid() { jq -r .main_pid "$ST/status"; }
# modlines FILE: modinit's notify lines, pids as P (they differ per run).
modlines() { grep 'notify: ' "$1" | sed 's/pid [0-9][0-9]*/pid P/g'; }

# --- PID 1, socket in the state directory --------------------------------
mkfifo "$WORK/go"
cat >"$WORK/n.yaml" <<EOC
modules:
  - name: notify
EOC
bg_pid1 -v $MP --state-dir "$ST" -c "$WORK/n.yaml" -- sh -c '
	printf "%s|%s\n" "$NOTIFY_SOCKET" "${WATCHDOG_USEC:-none}" >"$1/env"
	read go <"$1/go"
	exec '"$SDN"' "STATUS=serving\nREADY=1" sleep 1000' sh "$WORK" 2>"$WORK/err"
wait_file "$WORK/env"
expect_eq "PID 1: NOTIFY_SOCKET is the state directory's socket; no WATCHDOG_USEC" \
	"$ST/notify|none" "$(cat "$WORK/env")"
check "PID 1: the socket exists while modinit runs" test -S "$ST/notify"
wait_grep "$ST/status" '"main_pid": [1-9]'
expect_eq "PID 1: not ready before READY=1 (--health=ready 1)" 1 \
	"$(ready nsenter -t "$HOSTPID" -p -m)"
# A process of modinit's namespace that modinit did not start: alive until
# modinit has read its message and said why it ignored it.
NOTIFY_SOCKET=$ST/notify timeout 10 nsenter -t "$HOSTPID" -p -m $SDN READY=1 sh -c \
	'echo $$ >"$1/outsider"; until grep -q "not in the main command" "$1/err"; do sleep 0.01; done' \
	sh "$WORK"
out_pid=$(cat "$WORK/outsider")
expect_eq "PID 1: a sender outside the command's tree is ignored, by its pid" \
	"modinit: debug: notify: ignored a message from pid $out_pid: not in the main command's tree" \
	"$(grep 'not in the main command' "$WORK/err")"
expect_eq "PID 1: and the container is still not ready" 1 "$(ready nsenter -t "$HOSTPID" -p -m)"
go
check "PID 1: READY=1 from the command makes the container ready" \
	wait_grep "$ST/status" "$(health_re healthy true)"
expect_eq "PID 1: --health=ready 0" 0 "$(ready nsenter -t "$HOSTPID" -p -m)"
expect_eq "PID 1: the ready line names the command's pid" \
	"modinit: info: notify: the main command (pid $(main_pid)) is ready (READY=1)" \
	"$(grep 'is ready' "$WORK/err")"
expect_eq "PID 1: STATUS= is the module's published status" \
	"ready: serving (watchdog 0 ms, restarts 0)" \
	"$(jq -r '.modules[] | select(.name == "notify") | .status' "$ST/status")"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "PID 1: the stop signal ends it as usual (143)" 143 "$?"
check "PID 1: the socket is removed at the end" test ! -e "$ST/notify"

# --- subreaper: the test itself is outside the tree ------------------------
rm -rf "$ST" "$WORK/env"
bg_sub -v $MP --state-dir "$ST" -c "$WORK/n.yaml" -- sh -c '
	printf "%s|%s\n" "$NOTIFY_SOCKET" "${WATCHDOG_USEC:-none}" >"$1/env"
	read go <"$1/go"
	exec '"$SDN"' "READY=1" sleep 1000' sh "$WORK" 2>"$WORK/err"
wait_file "$WORK/env"
wait_grep "$ST/status" '"main_pid": [1-9]'
NOTIFY_SOCKET=$ST/notify timeout 10 $SDN READY=1 sh -c \
	'echo $$ >"$1/outsider"; until grep -q "not in the main command" "$1/err"; do sleep 0.01; done' \
	sh "$WORK"
expect_eq "subreaper: the test's own message is ignored, by its pid" \
	"modinit: debug: notify: ignored a message from pid $(cat "$WORK/outsider"): not in the main command's tree" \
	"$(grep 'not in the main command' "$WORK/err")"
expect_eq "subreaper: not ready" 1 "$(ready)"
go
check "subreaper: READY=1 from the command makes it ready" \
	wait_grep "$ST/status" "$(health_re healthy true)"
expect_eq "subreaper: --health=ready 0" 0 "$(ready)"
mp=$(main_pid)
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "subreaper: 143 on the stop signal" 143 "$?"
check "subreaper: the command is gone" wait_reaped "$mp" 1

# --- abstract socket --------------------------------------------------------
rm -rf "$ST" "$WORK/env"
cat >"$WORK/abs.yaml" <<EOC
modules:
  - name: notify
    socket: abstract
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/abs.yaml" -- sh -c '
	printf "%s\n" "$NOTIFY_SOCKET" >"$1/env"
	exec '"$SDN"' "READY=1" sleep 1000' sh "$WORK" 2>"$WORK/err"
check "abstract: READY=1 through it makes the container ready" \
	wait_grep "$ST/status" "$(health_re healthy true)"
expect_match "abstract: NOTIFY_SOCKET is an abstract address" '^@modinit-notify-[0-9a-f]{16}$' \
	"$(cat "$WORK/env")"
check "abstract: no socket file" test ! -e "$ST/notify"
kill -TERM "$HOSTPID"
wait "$BG"

# --- s6: notification_fd ---------------------------------------------------
rm -rf "$ST"
cat >"$WORK/s6.yaml" <<EOC
modules:
  - name: notify
    socket: none
    notification_fd: 3
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/s6.yaml" -- sh -c '
	read go <"$1/go"
	echo >&3
	exec sleep 1000' sh "$WORK" 2>"$WORK/err"
wait_grep "$ST/status" '"main_pid": [1-9]'
expect_eq "notification_fd: not ready before the newline" 1 "$(ready nsenter -t "$HOSTPID" -p -m)"
go
check "notification_fd: a newline on fd 3 makes it ready" \
	wait_grep "$ST/status" "$(health_re healthy true)"
expect_eq "notification_fd: logged" \
	"modinit: info: notify: the main command (pid P) is ready (notification_fd)" \
	"$(modlines "$WORK/err")"
kill -TERM "$HOSTPID"
wait "$BG"

# --- ready_timeout with exit:9 --------------------------------------------------
rm -rf "$ST"
cat >"$WORK/rt.yaml" <<EOC
modules:
  - name: notify
    ready_timeout: 300ms
    on_ready_timeout: exit:9
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/rt.yaml" -- sleep 1000 2>"$WORK/err"
expect_eq "ready_timeout: never ready ends the container with 9" 9 "$?"
expect_eq "ready_timeout: one line says why, then the core's request line" \
	"modinit: warning: notify: the main command is not ready after 300 ms: ending the container with 9
modinit: info: notify: shutdown requested (exit 9): the main command is not ready after 300 ms" \
	"$(modlines "$WORK/err")"

# --- watchdog: restart, then the end ---------------------------------------
rm -rf "$ST"
cat >"$WORK/wd.yaml" <<EOC
modules:
  - name: notify
    watchdog: 3s
    on_watchdog: restart
    restart: {max: 1, backoff: 100ms, exit_code: 7}
EOC
pid1 $MP --state-dir "$ST" -c "$WORK/wd.yaml" -- sh -c '
	echo "$WATCHDOG_USEC" >>"$1/starts"
	exec '"$SDN"' READY=1 sleep 1000' sh "$WORK" 2>"$WORK/err"
expect_eq "watchdog: unfed after its restart, the container ends with exit_code 7" 7 "$?"
expect_eq "watchdog: the command ran twice, told WATCHDOG_USEC each time" "3000000
3000000" "$(cat "$WORK/starts")"
expect_eq "watchdog: the restart and the end, each logged once" \
"modinit: info: notify: the main command (pid P) is ready (READY=1)
modinit: warning: notify: watchdog: no WATCHDOG=1 for 3000 ms: restarting the main command (restart 1 of 1, 100 ms after it stops)
modinit: info: notify: the main command (pid P) is ready (READY=1)
modinit: warning: notify: watchdog: no WATCHDOG=1 for 3000 ms after 1 restarts: ending the container with 7
modinit: info: notify: shutdown requested (exit 7): watchdog: no WATCHDOG=1 for 3000 ms" \
	"$(modlines "$WORK/err")"

# --- a fed watchdog: 20 pings 100 ms apart, well inside 3 s ------------------
rm -rf "$ST"
pid1 $MP --state-dir "$ST" -c "$WORK/wd.yaml" -- \
	$SDN --count 20 --interval 0.1 "READY=1\nWATCHDOG=1" true 2>"$WORK/err"
expect_eq "fed watchdog: the command ends by itself with its own status" 0 "$?"
expect_eq "fed watchdog: no watchdog line" \
	"modinit: info: notify: the main command (pid P) is ready (READY=1)" "$(modlines "$WORK/err")"

# --- nothing due, nothing wakes modinit --------------------------------------
if [ -n "$MODINIT_WRAPPER" ]; then
	ok "idle # SKIP context switches under $MODINIT_WRAPPER measure the wrapper"
else
	rm -rf "$ST"
	bg_pid1 $MP --state-dir "$ST" -c "$WORK/n.yaml" -- $SDN READY=1 sleep 1000 2>"$WORK/err"
	wait_grep "$ST/status" "$(health_re healthy true)"
	wait_idle "$HOSTPID"
	before=$(awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$HOSTPID/status")
	sleep 2 # the window observed, not a synchronisation
	after=$(awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$HOSTPID/status")
	expect_eq "idle: ready, no watchdog: no wakeup in 2 s ($before -> $after)" "$before" "$after"
	kill -TERM "$HOSTPID"
	wait "$BG"
fi
finish
