#!/bin/sh
# The dumb-init personality, through a symlink named dumb-init and through
# --compat=dumb-init: dumb-init's own test scenarios (exit status, signal
# forwarding and rewriting, the session and its group, SIGTERM to what is
# left as the command ends, the working directory, the terminal's hand-off)
# and job control: Ctrl-Z on "dumb-init sleep 30" in an interactive shell
# stops the job, fg continues it.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 47

. "$MODINIT_SRCDIR/tests/integration/compat.sh"
compat_link dumb-init
DI=$WORK/dumb-init
unset DUMB_INIT_SETSID DUMB_INIT_DEBUG

# di ARGS: the personality as an ordinary process (dumb-init's own tests
# run it so); compat ARGS: the same through --compat.
di() { timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$DI" "$@"; }
compat() { timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$MODINIT_BIN" --compat=dumb-init "$@"; }
bg_di() {
	timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$DI" "$@" &
	BG=$!
	HOSTPID=$(child_of "$BG")
}

# Exit status: the command's, in both modes and both ways of asking.
for how in di compat; do
	for mode in 1 0; do
		bad=
		for code in 0 1 2 32 64 127 254 255; do
			DUMB_INIT_SETSID=$mode $how sh -c "exit $code" 2>/dev/null
			rc=$?
			[ "$rc" = "$code" ] || bad="$bad $code->$rc"
		done
		expect_eq "$how, DUMB_INIT_SETSID=$mode: exit status passed through" "" "$bad"
	done
done
bad=
for s in TERM INT QUIT KILL; do
	n=$(signum "$s")
	di sh -c "kill -$n \$\$" 2>/dev/null
	rc=$?
	[ "$rc" = $((128 + n)) ] || bad="$bad $s->$rc"
done
expect_eq "killed by a signal: 128+N" "" "$bad"

# Signals are forwarded, in both modes.
forward_case() {
	fifo sig
	bg_di "$@" "$TESTCHILD" signals "$WORK/sig" 9
	get_line >/dev/null
	got=
	for s in HUP INT QUIT USR1 USR2 ALRM WINCH CONT TERM; do
		kill -s "$s" "$HOSTPID"
		got="$got $(get_line)"
	done
	wait "$BG"
	rc=$?
	exec 3<&-
	rm -f "$WORK/sig"
}
want=
for s in HUP INT QUIT USR1 USR2 ALRM WINCH CONT TERM; do want="$want $(signum "$s")"; done
forward_case
expect_eq "the usual signals reach the command" "$want" "$got"
expect_eq "which exits 0 after them, and so does modinit" 0 "$rc"
forward_case -c
expect_eq "with -c too" "$want" "$got"

# -r s:r rewrites, r=0 drops; the lowest and highest signals too.
fifo sig
bg_di -r 15:2 -r 2:0 -r 1:31 -r 31:1 "$TESTCHILD" signals "$WORK/sig" 4
get_line >/dev/null
kill -TERM "$HOSTPID"; a=$(get_line)
kill -INT "$HOSTPID"; kill -HUP "$HOSTPID"; b=$(get_line)
kill -31 "$HOSTPID"; c=$(get_line)
kill -QUIT "$HOSTPID"; d=$(get_line)
wait "$BG"
rc=$?
exec 3<&-
rm -f "$WORK/sig"
expect_eq "-r 15:2: SIGTERM arrives as SIGINT" 2 "$a"
expect_eq "-r 2:0: SIGINT is dropped, the SIGHUP after it arrives as -r 1:31 says" 31 "$b"
expect_eq "-r 31:1: signal 31 arrives as 1" 1 "$c"
expect_eq "an unmapped signal is unchanged" 3 "$d"
expect_eq "and the run ends with the command's 0" 0 "$rc"

# The command's place: a session of its own, or modinit's group with -c.
stat_cmd='set -- $(sed "s/^.*) //" /proc/$$/stat); p=$3; s=$4
	set -- $(sed "s/^.*) //" /proc/$PPID/stat); echo "pid=$$ pgrp=$p sid=$s modinit-pgrp=$3"'
line=$(di sh -c "$stat_cmd" </dev/null)
expect_match "the command leads a session of its own ($line)" \
	'^pid=([0-9]+) pgrp=\1 sid=\1 modinit-pgrp=[0-9]+$' "$line"
line=$(compat -c sh -c "$stat_cmd" </dev/null)
expect_match "with -c it stays in modinit's group ($line)" \
	'^pid=[0-9]+ pgrp=([0-9]+) sid=[0-9]+ modinit-pgrp=\1$' "$line"
line=$(DUMB_INIT_SETSID=0 di sh -c "$stat_cmd" </dev/null)
expect_match "so with DUMB_INIT_SETSID=0" '^pid=[0-9]+ pgrp=([0-9]+) sid=[0-9]+ modinit-pgrp=\1$' \
	"$line"

# Signals go to the whole group, or with -c to the command alone: a shell
# with a background sleep gets SIGTERM.
group_case() { term_group_case bg_di "$@"; }
group_case
expect_eq "SIGTERM ends the shell: 143" 143 "$rc"
check "and its background sleep with it: the group got it" wait_gone "$left"
group_case -c
expect_eq "with -c, SIGTERM ends the shell: 143" 143 "$rc"
check "but its background sleep lives on" test "$(state_of "$left")" = S
kill -KILL "$left" 2>/dev/null

# As the command ends, what is left of its group gets SIGTERM (dumb-init's
# last word), and modinit exits at once; with -c nothing is sent.
mkfifo "$WORK/go"
left_case() {
	fifo sig
	bg_di "$@" sh -c '"$0" signals "$1" 1 & read x <"$2"' "$TESTCHILD" "$WORK/sig" "$WORK/go"
	ready=$(get_line)
	echo go >"$WORK/go"
	wait "$BG"
	rc=$?
}
left_case
expect_eq "the shell exits 0: so does modinit" 0 "$rc"
expect_eq "and what it left in its group got SIGTERM" 15 "$(get_line)"
exec 3<&-
rm -f "$WORK/sig"
left_case -c
expect_eq "with -c too, modinit exits 0 with the shell" 0 "$rc"
kill -HUP "${ready#ready }"
expect_eq "but what was left got no SIGTERM: the next signal it sees is ours" 1 "$(get_line)"
exec 3<&-
rm -f "$WORK/sig"

# Working directory: the command's is where modinit started, modinit's /.
# modinit moves once the command is started, so the command may look
# first: it waits (10 s at most) for the move, then reports both.
out=$(cd "$WORK" && di sh -c 'n=1000
	while [ "$(readlink /proc/$PPID/cwd)" != / ] && [ "$n" -gt 0 ]; do sleep 0.01; n=$((n - 1)); done
	readlink /proc/$PPID/cwd; readlink /proc/$$/cwd' | paste -sd' ')
expect_eq "modinit moves to /, the command starts where it was started" "/ $WORK" "$out"
out=$(cd "$WORK" && compat -c sh -c 'readlink /proc/$PPID/cwd; readlink /proc/$$/cwd' | paste -sd' ')
expect_eq "with -c too" "/ $WORK" "$out"

# Exec failure, the help, the version, usage errors (dumb-init's 1).
err=$(di /doesnotexist 2>&1)
expect_eq "a command that does not exist: 127" 127 "$?"
expect_eq "named on stderr" "modinit: error: cannot run '/doesnotexist': No such file or directory" "$err"
out=$(di -h 2>"$WORK/err")
expect_eq "-h: exit 0" 0 "$?"
expect_match "the help goes to stderr, as dumb-init's" '^Usage: dumb-init \[OPTIONS\]' \
	"$(cat "$WORK/err")"
expect_eq "nothing on stdout" "" "$out"
out=$(compat --version 2>&1 >/dev/null)
expect_eq "--version: on stderr" "modinit $(sub --version | cut -d' ' -f2) (dumb-init personality)" "$out"
err=$(di 2>&1)
expect_eq "no command: exit 1" 1 "$?"
expect_eq "with one line" "modinit: error: no command given (see --help)" "$err"
err=$(di -r 32:1 true 2>&1)
expect_eq "-r beyond 31: exit 1" 1 "$?"
expect_eq "with one line" \
	'modinit: error: -r: expected s:r, signals 1-31 (r 0: not forwarded), got "32:1"' "$err"
err=$(di --nope true 2>&1)
expect_eq "an unknown option: exit 1, one line" "1 modinit: error: unknown option '--nope' (see --help)" \
	"$? $err"

# Quiet but for errors; -v and DUMB_INIT_DEBUG=1 tell what happens.
err=$(di true 2>&1)
expect_eq "no message by default" "" "$err"
err=$(DUMB_INIT_DEBUG=1 di true 2>&1)
expect_match "DUMB_INIT_DEBUG=1: debug messages" "^modinit: debug: started 'true' as pid" "$err"

# As PID 1 the terminal's stop signals stop the command, but not modinit:
# the kernel would not stop a PID 1.
timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc $MODINIT_WRAPPER "$DI" \
	sleep 300 &
BG=$!
HOSTPID=$(child_of "$(child_of "$BG")")
cmd=$(child_of "$HOSTPID")
kill -TSTP "$HOSTPID"
check "as PID 1, SIGTSTP stops the command (as SIGSTOP)" wait_state "$cmd" T
expect_eq "and modinit runs on" S "$(state_of "$HOSTPID")"
kill -CONT "$HOSTPID"
check "SIGCONT continues the command" wait_state "$cmd" SR
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "SIGTERM then ends the run: 143" 143 "$?"

if ! command -v python3 >/dev/null || ! command -v bash >/dev/null; then
	for i in 1 2 3 4; do ok "# SKIP python3 and bash are needed to drive a terminal"; done
	finish
fi

# The terminal's hand-off: modinit, session leader on a terminal, lets go
# of it; the kernel's SIGHUP and SIGCONT for that are not forwarded, and the
# command's session takes the terminal. The command asks modinit to forward
# a SIGUSR1 back to it: once that arrived, a SIGHUP forwarded before it
# would have ended the shell.
cat >"$WORK/leader.py" <<'EOP'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
def chunks():
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:  # EIO: the last holder of the terminal is gone
            return
        if not data:
            return
        yield data

text = b"".join(chunks()).decode(errors="replace")
_, status = os.waitpid(pid, 0)
sys.stdout.write(text.replace("\r", ""))
print("rc=%d" % os.waitstatus_to_exitcode(status))
EOP
# The shell waits for the signal with builtins only: the signal goes to its
# whole group, and a sleep in that group would die of it, which the shell
# then reports on the terminal.
out=$(timeout -k 5 30 python3 "$WORK/leader.py" "$DI" sh -c 'trap "got=1" USR1; kill -USR1 $PPID
	while [ -z "$got" ]; do :; done
	set -- $(sed "s/^.*) //" /proc/$$/stat); echo "pid=$$ pgrp=$3 sid=$4 tpgid=$6"' | paste -sd' ')
expect_match "the command's session has the terminal, its group in front, no SIGHUP ($out)" \
	'^pid=([0-9]+) pgrp=\1 sid=\1 tpgid=\1 rc=0$' "$out"

# Job control in an interactive bash: the job "dumb-init sleep 30" is
# stopped by Ctrl-Z (bash says so, modinit and sleep are in state T), fg
# continues both, and SIGTERM then ends it with 143.
cat >"$WORK/jobctl.py" <<'EOP'
import os, pty, re, select, signal, sys, time
log, tool = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 20
buf = b""
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])

def expect(pat):
    global buf
    while time.monotonic() < deadline:
        m = re.search(pat, buf)
        if m:
            return m
        if select.select([fd], [], [], 0.5)[0]:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                return None
    return None

def state(p):
    try:
        with open("/proc/%d/stat" % p) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"

def first_child(p):
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                c = f.read().split()
        except OSError:
            c = []
        if c:
            return int(c[0])
        time.sleep(0.01)
    sys.exit("no child of %d" % p)

def until(p, states):
    while time.monotonic() < deadline and state(p) not in states:
        time.sleep(0.01)
    return state(p)

os.write(fd, b"echo bash=$$\n")
bash = int(expect(rb"bash=(\d+)").group(1))
os.write(fd, tool.encode() + b" sleep 30\n")
mod = first_child(bash)
sl = first_child(mod)
os.write(fd, b"\x1a")
said = "Stopped" if expect(rb"Stopped") else "nothing"
print("bash=%s modinit=%s sleep=%s" % (said, state(mod), until(sl, "T")))
os.write(fd, b"fg\n")
print("fg: modinit=%s sleep=%s" % (until(mod, "SR"), until(sl, "SR")))
os.kill(mod, signal.SIGTERM)
os.write(fd, b"echo rc=$?\n")
m = expect(rb"rc=(\d+)")
print("rc=%s" % (m.group(1).decode() if m else "none"))
os.write(fd, b"exit\n")
os.waitpid(pid, 0)
with open(log, "wb") as f:
    f.write(buf.replace(b"\r", b""))
EOP
out=$(timeout -k 5 40 python3 "$WORK/jobctl.py" "$WORK/tty" "$DI")
expect_eq "Ctrl-Z: bash reports the job stopped, modinit and sleep in state T" \
	"bash=Stopped modinit=T sleep=T" "$(echo "$out" | sed -n 1p)"
expect_match "fg: both run again" '^fg: modinit=[SR] sleep=[SR]$' "$(echo "$out" | sed -n 2p)"
expect_eq "SIGTERM then ends the job: bash's \$? is 143" rc=143 "$(echo "$out" | sed -n 3p)"
diag "$(cat "$WORK/tty" 2>/dev/null)"
finish
