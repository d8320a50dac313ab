#!/bin/sh
# healthcheck's HTTP endpoint as PID 1: /healthz and /readyz answer 200 or
# 503 with the JSON status as the checks change; malformed, oversized and
# unknown requests get their error; silent connections neither stall the
# loop nor exceed the connection limit; a non-loopback address is refused
# unless listen_public is set.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test client"
plan 25
MP="--module-path $MODINIT_MODDIR"
STUB=$MODINIT_SRCDIR/tests/helpers/httpstub.py
ST=$WORK/st

# ask [HOLD] < REQUEST: the raw answer; status 3 if the connection was reset.
ask() { python3 "$STUB" ask "$PORT" "$@"; }
status_of() { printf "$1" | ask | head -n 1 | tr -d '\r'; }

PORT=$(python3 "$STUB" freeport)
cat >"$WORK/ep.yaml" <<EOC
modules:
  - name: healthcheck
    listen: 127.0.0.1:$PORT
    checks:
      - name: app
        exec: [sh, -c, 'test -e $WORK/up']
        interval: 100ms
        retries: 1
      - name: ready
        role: readiness
        exec: [sh, -c, 'test -e $WORK/ready']
        interval: 100ms
        retries: 1
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/ep.yaml" -- sleep 1000 2>"$WORK/err"
# The socket is bound in init, before the status is first written.
check "the status file is written at start" wait_file "$ST/status"

expect_eq "/healthz while starting: 503" "HTTP/1.1 503 Service Unavailable" \
	"$(status_of 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')"
touch "$WORK/up"
wait_grep "$ST/status" "$(health_re healthy false)"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' | ask >"$WORK/answer"
expect_eq "/healthz when healthy: 200 with JSON" \
	"HTTP/1.1 200 OK|Content-Type: application/json" \
	"$(head -n 2 "$WORK/answer" | tr -d '\r' | paste -sd '|')"
expect_match "/healthz: the body is the status" \
	'^\{"status": "healthy", "ready": false, "restarts": 0, "checks": \[' \
	"$(sed '1,/^\r$/d' "$WORK/answer")"
len=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$WORK/answer")
expect_eq "/healthz: Content-Length is the body's length" "$len" \
	"$(sed '1,/^\r$/d' "$WORK/answer" | wc -c)"
expect_eq "/readyz while a readiness check fails: 503" "HTTP/1.1 503 Service Unavailable" \
	"$(status_of 'GET /readyz HTTP/1.1\r\n\r\n')"
touch "$WORK/ready"
wait_grep "$ST/status" "$(health_re healthy true)"
expect_eq "/readyz when ready: 200" "HTTP/1.1 200 OK" "$(status_of 'GET /readyz HTTP/1.1\r\n\r\n')"
expect_eq "a query string is ignored; HTTP/1.0 and bare LF are fine" "HTTP/1.1 200 OK" \
	"$(status_of 'GET /healthz?verbose=1 HTTP/1.0\n\n')"

# Errors.
expect_eq "a malformed request line: 400" "HTTP/1.1 400 Bad Request" "$(status_of 'BLAH\r\n\r\n')"
expect_eq "an unknown version: 400" "HTTP/1.1 400 Bad Request" \
	"$(status_of 'GET /healthz HTTP/3\r\n\r\n')"
expect_eq "a control byte in the target: 400" "HTTP/1.1 400 Bad Request" \
	"$(status_of 'GET /he\001althz HTTP/1.1\r\n\r\n')"
expect_eq "another method: 405" "HTTP/1.1 405 Method Not Allowed" \
	"$(status_of 'DELETE /healthz HTTP/1.1\r\n\r\n')"
expect_eq "another path: 404" "HTTP/1.1 404 Not Found" "$(status_of 'GET /metrics HTTP/1.1\r\n\r\n')"
python3 -c 'import sys; sys.stdout.write("GET /" + "a" * 8000 + " HTTP/1.1\r\n\r\n")' | ask >"$WORK/big"
st=$?
expect_eq "an oversized request: 400, delivered whole (no reset)" \
	"0|HTTP/1.1 400 Bad Request|request too large" \
	"$st|$(head -n 1 "$WORK/big" | tr -d '\r')|$(tail -n 1 "$WORK/big")"

# Silent connections: the loop still answers; the 17th connection evicts the
# oldest silent one and is answered.
# After each client, wait for modinit to have closed its side (its only
# socket the listening one again), so that the next one finds room.
sockets() { ls -l "/proc/$HOSTPID/fd" | grep -c 'socket:'; }
# settle [TRIES]: polls every 10 ms (default 10 s).
settle() {
	for _ in $(seq "${1:-1000}"); do
		[ "$(sockets)" = 1 ] && return 0
		sleep 0.01
	done
	return 1
}
expect_eq "5 silent connections do not stall an answer" "HTTP/1.1 200 OK" \
	"$(printf 'GET /healthz HTTP/1.1\r\n\r\n' | ask 5 | head -n 1 | tr -d '\r')"
settle
expect_eq "beyond 16 connections the oldest silent one gives way to a request" \
	"HTTP/1.1 200 OK" \
	"$(printf 'GET /healthz HTTP/1.1\r\n\r\n' | ask 16 | head -n 1 | tr -d '\r')"
# Within 3 s: well before the 5 s timeout that would close them anyway.
check "the 16 silent connections are closed when their client goes" settle 300
expect_eq "once they are gone it answers again" "HTTP/1.1 200 OK" \
	"$(status_of 'GET /healthz HTTP/1.1\r\n\r\n')"
check "modinit is still running" kill -0 "$HOSTPID"
# The address is claimed at setup, yet checking the configuration next to
# the running modinit does not collide with it: --check-config binds nothing.
expect_eq "--check-config works while the endpoint is served" \
	"$WORK/ep.yaml: OK, 1 module: healthcheck|0" \
	"$("$MODINIT_BIN" $MP --check-config -c "$WORK/ep.yaml" 2>&1)|$?"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "it ends as usual (143)" 143 "$?"

# Only loopback unless asked.
sed "s|listen: 127.0.0.1:$PORT|listen: 0.0.0.0:$PORT|" "$WORK/ep.yaml" >"$WORK/pub.yaml"
err=$(pid1 $MP --state-dir "$ST" -c "$WORK/pub.yaml" -- true 2>&1)
expect_eq "a public address is refused at setup (78)" \
	"78|modinit: error: $WORK/pub.yaml:3:13: healthcheck: listen: 0.0.0.0:$PORT is not a loopback address; set listen_public: true to serve it" \
	"$?|$err"
sed 's|^    listen: .*|&\n    listen_public: true|' "$WORK/pub.yaml" >"$WORK/pub2.yaml"
pid1 $MP --state-dir "$ST" -c "$WORK/pub2.yaml" -- true 2>"$WORK/err"
expect_eq "with listen_public: true it is served" "0|" "$?|$(grep -i error "$WORK/err")"

# A port another program listens on is a setup error.
fifo port
python3 "$STUB" serve "$WORK/port" "$WORK/mode" "$WORK/srv.log" &
TAKEN=$(get_line)
sed "s|listen: 127.0.0.1:$PORT|listen: 127.0.0.1:$TAKEN|" "$WORK/ep.yaml" >"$WORK/taken.yaml"
err=$(pid1 $MP --state-dir "$ST" -c "$WORK/taken.yaml" -- true 2>&1)
expect_eq "a port in use is refused at setup (78)" \
	"78|modinit: error: $WORK/taken.yaml:3:13: healthcheck: listen: cannot serve 127.0.0.1:$TAKEN: Address already in use" \
	"$?|$err"

# A program of the same uid that set SO_REUSEPORT on the port is noticed too.
python3 -c '
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(1000)
' "$WORK/reuse.port" &
wait_file "$WORK/reuse.port"
REUSE=$(cat "$WORK/reuse.port")
sed "s|listen: 127.0.0.1:$PORT|listen: 127.0.0.1:$REUSE|" "$WORK/ep.yaml" >"$WORK/reuse.yaml"
err=$(pid1 $MP --state-dir "$ST" -c "$WORK/reuse.yaml" -- true 2>&1)
expect_eq "a port held with SO_REUSEPORT by the same uid is refused at setup (78)" \
	"78|modinit: error: $WORK/reuse.yaml:3:13: healthcheck: listen: cannot serve 127.0.0.1:$REUSE: Address already in use" \
	"$?|$err"
finish
