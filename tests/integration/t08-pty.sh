#!/bin/sh
# With a terminal: the command becomes the foreground process group, so the
# Ctrl-C typed on the terminal reaches it (and ends a loop with 130); with a
# pipe, what is written into modinit's stdin reaches the command.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v python3 >/dev/null || skip_all "python3 is needed to drive a pseudo-terminal"
plan 6

# python3 opens a pty, runs modinit on it (stdin, stdout, stderr), waits
# for the loop to say it runs, types Ctrl-C and reports the status; what
# the terminal showed goes to the file named first.
cat >"$WORK/ctrl_c.py" <<'EOP'
import os, pty, select, sys, time
log = sys.argv[1]
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
buf = b""
deadline = time.monotonic() + 20
while b"looping" not in buf and time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if r:
        try:
            buf += os.read(fd, 1024)
        except OSError:
            break
os.write(fd, b"\x03")
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if r:
        try:
            more = os.read(fd, 1024)
        except OSError:
            break
        if not more:
            break
        buf += more
_, status = os.waitpid(pid, 0)
with open(log, "wb") as f:
    f.write(buf.replace(b"\r", b""))
print(os.waitstatus_to_exitcode(status))
EOP
# The loop first prints its process group and the terminal's foreground
# group (fields 5 and 8 of /proc/self/stat): they must be the same.
loop='set -- $(sed "s/^.*) //" /proc/$$/stat); echo "pgrp=$3 fg=$6"
	echo looping; while :; do sleep 0.05; done'
rc=$(timeout -k 5 30 python3 "$WORK/ctrl_c.py" "$WORK/tty" unshare --pid --fork --kill-child \
	--mount-proc $MODINIT_WRAPPER "$MODINIT_BIN" -- sh -c "$loop")
expect_eq "Ctrl-C on the terminal ends the foreground loop (128+2)" 130 "$rc"
fg=$(grep '^pgrp=' "$WORK/tty")
expect_match "the command is the terminal's foreground group ($fg)" '^pgrp=([0-9]+) fg=\1$' "$fg"

# The same loop as a subreaper outside a namespace.
rc=$(timeout -k 5 30 python3 "$WORK/ctrl_c.py" "$WORK/tty" $MODINIT_WRAPPER "$MODINIT_BIN" -- \
	sh -c "$loop")
expect_eq "also as a subreaper" 130 "$rc"
fg=$(grep '^pgrp=' "$WORK/tty")
expect_match "there too the command is the foreground group ($fg)" '^pgrp=([0-9]+) fg=\1$' "$fg"

out=$(printf 'first line\nsecond line\n' | pid1 -- sh -c 'read a; read b; echo "$b|$a"' 2>/dev/null)
expect_eq "stdin piped into modinit reaches the command" "second line|first line" "$out"
out=$(printf 'abc' | pid1 -- wc -c 2>/dev/null)
expect_eq "all of it, up to end of file" 3 "$out"
finish
