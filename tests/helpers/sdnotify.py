#!/usr/bin/env python3
"""sd_notify(3) for the tests: send MESSAGE ("\\n" stands for a newline) as
one datagram to $NOTIFY_SOCKET ("@name" is an abstract address), COUNT
times INTERVAL seconds apart, then become COMMAND... with execvp.

The exec is the point: modinit checks who sent a message by the sender's
pid when it reads it, so the sender must still be alive then. A short-lived
sender (a shell loop of sends) may already be gone and is rightly ignored.

usage: sdnotify.py [--count COUNT] [--interval SECONDS] MESSAGE [COMMAND...]
"""
import os
import socket
import sys
import time


def send(address, message):
    if address.startswith("@"):
        address = "\0" + address[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.sendto(message, address)
    finally:
        sock.close()


def main(argv):
    count, interval = 1, 0.0
    while len(argv) > 1 and argv[0] in ("--count", "--interval"):
        if argv[0] == "--count":
            count = int(argv[1])
        else:
            interval = float(argv[1])
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__.strip().splitlines()[-1])
    message = argv[0].replace("\\n", "\n").encode()
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        sys.exit("sdnotify.py: NOTIFY_SOCKET is not set")
    for i in range(count):
        if i:
            time.sleep(interval)
        send(address, message)
    if len(argv) > 1:
        sys.stdout.flush()
        os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
