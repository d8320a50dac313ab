#!/bin/sh
# healthcheck's endpoint under a slowloris: 24 clients (more than the 16
# connections it serves at a time) connect, drip one byte of a request that
# never ends every 100 ms, and reconnect whenever they are closed. Meanwhile
# 40 real GET /healthz requests, one after the other, must all be answered:
# a full table gives way to the new connection by evicting the oldest one
# whose request is not complete.
# The bound is only a safety net: on a loaded machine the clients are slow.
LIMIT=${LIMIT:-120}
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test clients"
plan 4
MP="--module-path $MODINIT_MODDIR"
STUB=$MODINIT_SRCDIR/tests/helpers/httpstub.py
ST=$WORK/st

PORT=$(python3 "$STUB" freeport)
cat >"$WORK/ep.yaml" <<EOC
modules:
  - name: healthcheck
    listen: 127.0.0.1:$PORT
    checks:
      - name: app
        exec: ["true"]
        interval: 100ms
        retries: 1
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/ep.yaml" -- sleep 1000 2>"$WORK/err"
check "the check is healthy" wait_grep "$ST/status" "$(health_re healthy true)"

# The attackers: each holds a connection and drips a byte every 100 ms,
# and connects again 200 ms after it was closed. "held" is written once 16
# of them have a byte sent on an open connection; they stop when $WORK/stop
# exists.
cat >"$WORK/loris.py" <<'EOP'
import os, socket, sys, threading

port, nslow, held_file, stop_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
stop = threading.Event()
lock = threading.Lock()
held = [0]


def hold(delta):
    with lock:
        held[0] += delta
        if held[0] >= 16 and not os.path.exists(held_file):
            open(held_file, "w").write("held\n")


def slow():
    while not stop.is_set():
        counted, s = False, None
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            for ch in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 100000:
                s.send(bytes([ch]))
                if not counted:
                    counted = True
                    hold(1)
                if stop.wait(0.1):
                    break
        except OSError:
            pass
        if counted:
            hold(-1)
        if s:
            s.close()
        stop.wait(0.2)


threads = [threading.Thread(target=slow) for _ in range(nslow)]
for t in threads:
    t.start()
while not os.path.exists(stop_file):
    stop.wait(0.05)
stop.set()
for t in threads:
    t.join()
EOP
timeout 120 python3 "$WORK/loris.py" "$PORT" 24 "$WORK/held" "$WORK/stop" &
LORIS=$!
wait_file "$WORK/held" 20
# The 40 real requests come from one client process, one after the other:
# a python start per request made the test outlast its time bound on a
# loaded machine.
answered=$(python3 - "$PORT" <<'EOP'
import socket, sys

port, ok = int(sys.argv[1]), 0
for _ in range(40):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        ok += data.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK"
    except OSError:
        pass
print(ok)
EOP
)
held=$(cat "$WORK/held" 2>/dev/null)
touch "$WORK/stop"
wait "$LORIS"
expect_eq "40 of 40 real requests answered while 24 slow clients held the table" \
	"held|40" "$held|$answered"
expect_eq "and one more once they have gone" "HTTP/1.1 200 OK" \
	"$(printf 'GET /healthz HTTP/1.1\r\n\r\n' | python3 "$STUB" ask "$PORT" | head -n 1 | tr -d '\r')"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "modinit ran through it and ends as usual (143)" 143 "$?"
finish
