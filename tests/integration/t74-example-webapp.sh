#!/bin/sh
# examples/webapp/init.yaml as PID 1, as written but for its paths and
# ports: a pre-start hook lays out the document root, the server (python's
# http.server, nginx-like) runs as nobody, a sidecar writes a heartbeat
# page, the health check probes the server and the endpoint reports it
# healthy, SIGTERM ends everything with 0 (exit-code maps 143) and nothing
# is left.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
id -u nobody >/dev/null 2>&1 || skip_all "the example runs as nobody: no such user here"
plan 10
MP="--module-path $MODINIT_MODDIR"
NOBODY=$(id -u nobody)
chmod 755 "$WORK" # the server and the sidecar, as nobody, work below it

freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
P=$(freeport)
E=$(freeport)
sed -e "s|/srv/www|$WORK/www|g" -e "s|127.0.0.1:8080|127.0.0.1:$P|" -e "s|127.0.0.1:8081|127.0.0.1:$E|" \
	"$MODINIT_SRCDIR/examples/webapp/init.yaml" >"$WORK/init.yaml"

# fetch URL [TEXT]: the body of the first 200 answer (holding TEXT, when
# given) within 20 s, else the last body or error.
fetch() {
	timeout -k 5 30 python3 - "$1" "${2:-}" <<'EOP'
import sys, time, urllib.request
url, want = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 20
body = ""
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            body = r.read().decode()
        if want in body:
            break
    except Exception as e:
        body = "no answer: %s" % e
    time.sleep(0.05)
sys.stdout.write(body)
EOP
}
# uids PID: the Uid line of /proc/PID/status, real effective saved fs.
uids() { awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$1/status" 2>/dev/null; }

SERVER="http.server --bind 127.0.0.1 --directory $WORK/www $P"
bg_pid1 $MP -c "$WORK/init.yaml" -- python3 -m $SERVER 2>"$WORK/err"
expect_eq "the pre-start hook laid out the document root the server serves" \
	"hello from modinit" "$(fetch "http://127.0.0.1:$P/index.html")"
# the python3 process itself, not timeout or unshare with the same words
srv=
for p in $(pgrep -f "$SERVER"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = python3 ] && srv=$p
done
expect_eq "the server runs as nobody" "$NOBODY $NOBODY $NOBODY $NOBODY" "$(uids "$srv")"
expect_eq "with no_new_privs" 1 "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$srv/status")"
expect_eq "modinit stays root" "0 0 0 0" "$(uids "$HOSTPID")"
expect_match "the sidecar's heartbeat page is served" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	"$(fetch "http://127.0.0.1:$P/heartbeat.txt")"
beat=$(pgrep -f 'heartbeat.txt; sleep 30' | head -1) # no other process has these words
expect_eq "the sidecar runs as nobody too" "$NOBODY $NOBODY $NOBODY $NOBODY" "$(uids "$beat")"
expect_match "the endpoint reports the check healthy" '"health": *"healthy"' \
	"$(fetch "http://127.0.0.1:$E/status" '"healthy"')"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "SIGTERM ends the container with 0 (143 mapped)" 0 "$?"
check "neither the server nor the sidecar is left" sh -c \
	'[ -n "$1" ] && [ -n "$2" ] && ! kill -0 "$1" 2>/dev/null && ! kill -0 "$2" 2>/dev/null' sh "$srv" "$beat"
expect_eq "nothing went wrong on the way: no error or warning line" "" \
	"$(grep -E '^modinit: (error|warning):' "$WORK/err")"
finish
