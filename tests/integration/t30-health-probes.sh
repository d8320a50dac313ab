#!/bin/sh
# healthcheck as PID 1, one probe type at a time against real loopback
# servers: exec, tcp and http go healthy, then unhealthy (exit:CODE ends the
# container with CODE); an http server that hangs and an exec probe past its
# timeout fail, and the probe's whole process group is killed. The status
# files and modinit --health answer as documented.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test servers"
plan 29
MP="--module-path $MODINIT_MODDIR"
STUB=$MODINIT_SRCDIR/tests/helpers/httpstub.py
ST=$WORK/st

# --health checks that the modinit named in the file runs: ask from inside
# the namespace of modinit ($HOSTPID), where it is PID 1.
health() {
	nsenter -t "$HOSTPID" -p -m "$MODINIT_BIN" --health --state-dir "$ST" >"$WORK/health.out" 2>&1
}
ready() { nsenter -t "$HOSTPID" -p -m "$MODINIT_BIN" --health=ready --state-dir "$ST" >/dev/null 2>&1; }

# healthcheck YAML: the module with one check (its lines as $1) and action $2.
config() {
	printf 'modules:\n  - name: healthcheck\n    on_unhealthy: "%s"\n    checks:\n      - name: %s\n' \
		"$2" "$3" >"$WORK/hc.yaml"
	printf '%s\n' "$1" | sed 's/^/        /' >>"$WORK/hc.yaml"
}

# --- exec ---
touch "$WORK/up"
config "exec: [sh, -c, 'echo probing; test -e $WORK/up']
interval: 100ms
timeout: 5s
retries: 2" "exit:7" ex
bg_pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
check "exec: the check becomes healthy" wait_grep "$ST/status" "$(health_re healthy true)"
health
expect_eq "--health exits 0 when healthy" 0 "$?"
expect_match "--health prints the status with the probe's output" \
	'^\{"status": "healthy", "ready": true, "restarts": 0, .*"output": "probing\\n"\}' \
	"$(tr -d '\n' <"$WORK/health.out")"
ready
expect_eq "--health=ready exits 0 when ready" 0 "$?"
rm "$WORK/up"
wait "$BG"
expect_eq "exec: two failures end the container with exit:7" 7 "$?"
expect_eq "the status file says unhealthy, and that its run has stopped" \
	"stopped|unhealthy false" "$(health_of "$ST")"
"$MODINIT_BIN" --health --state-dir "$ST" >"$WORK/health.out" 2>&1
expect_eq "--health exits 1 once the run has ended, and says so" \
	"1|modinit: error: no running modinit owns $ST/status (it has stopped)" \
	"$?|$(cat "$WORK/health.out")"
expect_match "the JSON keeps the failures with their exit status" \
	'"status": "unhealthy", "failing_streak": 2,.*"ok": false, "code": 1, "error": "exit status 1", "output": "probing\\n"\}\]' \
	"$(status_detail "$ST" | tr -d '\n')"
expect_eq "one log line per change, then the action" \
	"modinit: info: healthcheck: check ex (liveness) is healthy
modinit: warning: healthcheck: check ex (liveness) is unhealthy: exit status 1
modinit: warning: healthcheck: check ex is unhealthy: ending the container with 7" \
	"$(grep 'healthcheck: check' "$WORK/err")"

# --- tcp ---
fifo port
python3 "$STUB" serve "$WORK/port" "$WORK/mode" "$WORK/tcp.log" &
SRV=$!
PORT=$(get_line)
config "tcp: 127.0.0.1:$PORT
interval: 100ms
retries: 2" "exit:8" db
rm -rf "$ST"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
check "tcp: healthy while the listener is up" wait_grep "$ST/status" "$(health_re healthy true)"
check "tcp: the listener saw the probe connect" grep -q '^accept$' "$WORK/tcp.log"
kill "$SRV"
wait "$SRV" 2>/dev/null
wait "$BG"
expect_eq "tcp: refused connections end the container with exit:8" 8 "$?"
expect_match "tcp: the error is the connect's" \
	'"ok": false, "code": -1, "error": "connect: Connection refused"' "$(status_detail "$ST")"

# --- http ---
echo ok >"$WORK/mode"
python3 "$STUB" serve "$WORK/port" "$WORK/mode" "$WORK/http.log" &
SRV=$!
PORT=$(get_line)
config "http: http://127.0.0.1:$PORT/healthz
interval: 100ms
timeout: 300ms
retries: 2" "exit:9" web
rm -rf "$ST"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
check "http: healthy on 200" wait_grep "$ST/status" "$(health_re healthy true)"
expect_match "http: the server got GET /healthz" '^GET /healthz ok$' "$(cat "$WORK/http.log")"
expect_match "http: the answer is kept as output" \
	'"ok": true, "code": 200, "error": "", "output": "HTTP/1.1 200 OK' "$(status_detail "$ST")"
echo fail >"$WORK/mode"
wait "$BG"
expect_eq "http: 503 twice ends the container with exit:9" 9 "$?"
expect_match "http: the error names the status" \
	'"ok": false, "code": 503, "error": "HTTP status 503"' "$(status_detail "$ST")"

# A server that accepts and never answers: the timeout.
echo hang >"$WORK/mode"
config "http: http://127.0.0.1:$PORT/healthz
interval: 100ms
timeout: 300ms
retries: 2" "exit:10" web
rm -rf "$ST"
pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
expect_eq "http: a hanging server ends the container with exit:10" 10 "$?"
expect_match "http: the error is the timeout" \
	'"ok": false, "code": -1, "error": "timed out after 300 ms"' "$(status_detail "$ST")"
expect_eq "http: the unhealthy line names the timeout" \
	"modinit: warning: healthcheck: check web (liveness) is unhealthy: timed out after 300 ms" \
	"$(grep '(liveness) is unhealthy' "$WORK/err")"
kill "$SRV"
wait "$SRV" 2>/dev/null

# --- exec past its timeout: the probe and what it started are killed ---
# The first probe leaves a background "sleep 31.5" in its process group.
config "exec: [sh, -c, 'if [ ! -e $WORK/once ]; then touch $WORK/once; sleep 31.5 & fi; exec sleep 30']
interval: 100ms
timeout: 300ms
retries: 1" "none" slow
rm -rf "$ST"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
check "exec: the slow probe fails by timeout" \
	wait_grep "$WORK/err" 'check slow \(liveness\) is unhealthy: timed out after 300 ms'
check "exec: the probe had started its background sleep" test -e "$WORK/once"
sleepers() {
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null
		echo
	done | grep -c '^sleep 31\.5 $'
}
gone=1
for _ in $(seq 500); do
	[ "$(sleepers)" = 0 ] && { gone=0; break; }
	sleep 0.01
done
expect_eq "exec: the probe's whole process group was killed" 0 "$gone"
expect_eq "on_unhealthy: none leaves the container running" "" \
	"$(grep -E 'shutdown requested|ending the container' "$WORK/err")"
wait_grep "$ST/status" "$(health_re unhealthy false)"
health
expect_eq "--health exits 1 when unhealthy" 1 "$?"
expect_match "--health prints the unhealthy status" '^\{"status": "unhealthy", "ready": false,' \
	"$(cat "$WORK/health.out")"
ready
expect_eq "--health=ready exits 1 when not ready" 1 "$?"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "a stop signal still ends it with the command's status (143)" 143 "$?"
finish
