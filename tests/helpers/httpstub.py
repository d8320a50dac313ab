#!/usr/bin/env python3
"""Loopback servers and a raw client for the healthcheck integration tests.

  httpstub.py serve PORTOUT MODEFILE LOG
      Listen on 127.0.0.1 on an ephemeral port and write "PORT" as one line
      to PORTOUT (a FIFO the test reads). Every connection is logged as
      "accept" to LOG; every HTTP request as "GET PATH MODE", where MODE is
      the first word of MODEFILE read at that moment:
        ok    200 with a short body      fail  503
        hang  never answer (the connection stays open until the client
              closes it)                 close close without answering
      A connection that sends nothing (a tcp probe) is closed at its EOF.
  httpstub.py ask PORT [HOLD]
      Open HOLD (default 0) silent connections to 127.0.0.1:PORT first, then
      send stdin as it is on one more, half-close, and print everything the
      server answers until it closes. Exit 0, or 3 if the connection was
      reset. Bounded: 10 s.
  httpstub.py freeport
      Print a port that was free a moment ago.
"""
import selectors
import socket
import sys

ANSWERS = {
    "ok": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
    "fail": b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n"
            b"Connection: close\r\n\r\nfail\n",
}


def log_line(path, text):
    with open(path, "a") as f:
        f.write(text + "\n")


def read_mode(path):
    try:
        with open(path) as f:
            words = f.read().split()
    except FileNotFoundError:
        return "ok"
    return words[0] if words else "ok"


def serve(portout, modefile, logpath):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    with open(portout, "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    buffers = {}
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    conn, _ = lsock.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                log_line(logpath, "accept")
                buffers[conn] = b""
                sel.register(conn, selectors.EVENT_READ, "conn")
                continue
            conn = key.fileobj
            try:
                data = conn.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                sel.unregister(conn)
                buffers.pop(conn, None)
                conn.close()
                continue
            if conn not in buffers:  # answered or hanging: ignore the rest
                continue
            buffers[conn] += data
            if b"\r\n\r\n" not in buffers[conn]:
                continue
            line = buffers.pop(conn).split(b"\r\n", 1)[0].decode("latin-1")
            mode = read_mode(modefile)
            parts = line.split(" ")
            log_line(logpath, "%s %s %s" % (parts[0], parts[1] if len(parts) > 1 else "", mode))
            if mode == "hang":
                continue
            if mode in ANSWERS:
                try:
                    conn.sendall(ANSWERS[mode])
                except OSError:
                    pass
            sel.unregister(conn)
            conn.close()


def ask(port, hold):
    idle = []
    for _ in range(hold):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle.append(s)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    out = b""
    status = 0
    try:
        s.sendall(sys.stdin.buffer.read())
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError):
        status = 3
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    for c in idle:
        c.close()
    s.close()
    return status


def freeport():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def main(argv):
    if len(argv) == 5 and argv[1] == "serve":
        serve(argv[2], argv[3], argv[4])
        return 0
    if len(argv) in (3, 4) and argv[1] == "ask":
        return ask(int(argv[2]), int(argv[3]) if len(argv) == 4 else 0)
    if len(argv) == 2 and argv[1] == "freeport":
        freeport()
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
