#!/bin/sh
# The out-of-tree example modules (examples/audit-module and
# examples/sidecar-module) build against the staged install through
# modinit.pc, call no kill() of their own, and do what their comments say
# when modinit runs them as PID 1 (and, for the sidecar's leftovers, as a
# subreaper): audit writes one JSON line per event, validates its options
# with FILE:LINE:COL lines, creates nothing in a dry run and never blocks on
# a full FIFO; sidecar starts its command again after a failure and stops
# its whole process group at shutdown.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v pkg-config >/dev/null || skip_all "pkg-config not installed"
so_only "the example modules are .so files"
plan 24
trusted_work # modules are loaded from $WORK: not below a sticky /tmp

stage=${MODINIT_MODDIR%"$MODINIT_PKGLIBDIR"}
pcdir=$stage${MODINIT_PKGLIBDIR%/modinit}/pkgconfig

# build NAME: copy examples/NAME-module to $WORK/NAME and make it there.
build() {
	mkdir "$WORK/$1"
	cp "$MODINIT_SRCDIR/examples/$1-module/$1.c" \
	   "$MODINIT_SRCDIR/examples/$1-module/Makefile" "$WORK/$1/"
	chmod 0644 "$WORK/$1/"*
	env PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage" make -s -C "$WORK/$1"
}
check "audit builds with pkg-config --cflags modinit" build audit
check "sidecar builds with pkg-config --cflags modinit" build sidecar
AUDIT=$WORK/audit/audit.so
SIDECAR=$WORK/sidecar/sidecar.so

undef=$(nm -u "$AUDIT" "$SIDECAR" 2>&1)
expect_match "nm -u lists the modules' libc imports" '^ +U write@' "$undef"
expect_nomatch "neither module signals, forks or waits by itself" \
	'^ +U (kill|killpg|tgkill|tkill|sigqueue|pidfd_send_signal|fork|vfork|waitpid|wait|waitid)(@|$)' \
	"$undef"

# quiet TEXT: TEXT without valgrind's lines about itself (==PID== ...):
# valgrinds running as PID 1 in other namespaces share its /tmp file names.
# A memory error still shows, in the exit status (99).
quiet() {
	printf '%s\n' "$1" | grep -v '^==[0-9]*== '
}

# ---- audit -------------------------------------------------------------

# audit_yaml FILE [EVENTS]: a config with the audit module writing to FILE.
audit_yaml() {
	printf 'modules:\n  - path: %s\n    file: %s\n' "$AUDIT" "$1" >"$WORK/audit.yaml"
	if [ -n "${2:-}" ]; then printf '    events: %s\n' "$2" >>"$WORK/audit.yaml"; fi
}

# A run with an orphan, then a signal, then the command's exit. The orphan
# ends (7) only once modinit has adopted it (its parent pid is 1), and the
# command waits until it has been reaped (its /proc entry is gone) before
# it sends the signal, so the order is fixed.
cat >"$WORK/audited.sh" <<'EOS'
W=$(dirname "$0")
o=$(sh -c 'sh "$1/adopted.sh" </dev/null >/dev/null 2>&1 & echo $!' sh "$W")
echo "$o" >"$W/orphan"
n=0
while [ -e "/proc/$o" ] && [ "$n" -lt 2000 ]; do sleep 0.01; n=$((n + 1)); done
trap "exit 3" USR1
kill -USR1 1
while :; do sleep 0.05; done
EOS
cat >"$WORK/adopted.sh" <<'EOS'
n=0
while [ "$(cut -d' ' -f4 "/proc/$$/stat")" != 1 ] && [ "$n" -lt 2000 ]; do
	sleep 0.01
	n=$((n + 1))
done
exit 7
EOS
audit_yaml "$WORK/events.jsonl"
out=$(pid1 -c "$WORK/audit.yaml" -- sh "$WORK/audited.sh" 2>&1)
rc=$?
expect_eq "modinit ends with the command's status, nothing logged" "3|" "$rc|$(quiet "$out")"
orphan=$(cat "$WORK/orphan")
events=$(cat "$WORK/events.jsonl")
stamped=$(printf '%s\n' "$events" |
	grep -Ec '^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z","event":"[a-z-]+"')
expect_eq "8 lines, each starting with a UTC time with milliseconds" \
	"8|8" "$(printf '%s\n' "$events" | wc -l)|$stamped"
expected="{\"event\":\"start\"}
{\"event\":\"spawn\",\"pid\":2}
{\"event\":\"reap\",\"pid\":$orphan,\"kind\":\"orphan\",\"code\":7}
{\"event\":\"signal\",\"signal\":\"SIGUSR1\",\"sender\":2}
{\"event\":\"main-exit\",\"pid\":2,\"code\":3}
{\"event\":\"shutdown\",\"reason\":\"main-exited\"}
{\"event\":\"reap\",\"pid\":2,\"kind\":\"main\",\"code\":3}
{\"event\":\"exit\",\"code\":3,\"dropped\":0}"
expect_eq "the events, in order, one JSON line each" "$expected" \
	"$(printf '%s\n' "$events" | sed 's/"time":"[^"]*",//')"

audit_yaml "$WORK/some.jsonl" "[main-exit, exit]"
pid1 -c "$WORK/audit.yaml" -- sh -c 'kill -KILL $$' 2>/dev/null
expect_eq "events: only the events listed" \
	'{"event":"main-exit","pid":2,"signal":"SIGKILL"}
{"event":"exit","code":137,"dropped":0}' "$(sed 's/"time":"[^"]*",//' "$WORK/some.jsonl")"

# Errors: the host's check of an enumeration item, the module's own check
# (error_at on the item), the host's absolute-path check.
audit_yaml "$WORK/err.jsonl" "[start, boot]"
out=$("$MODINIT_BIN" --check-config -c "$WORK/audit.yaml" 2>&1)
expect_eq "an unknown event: one line at the item, 78" \
	"78|modinit: error: $WORK/audit.yaml:4:21: audit: events: item 2: expected start, spawn, signal, main-exit, reap, shutdown or exit, got \"boot\"" \
	"$?|$out"
audit_yaml "$WORK/err.jsonl" "[start, exit, start]"
out=$("$MODINIT_BIN" -c "$WORK/audit.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "an event listed twice: the module's own line at the item, 78" \
	"78|modinit: error: $WORK/audit.yaml:4:27: audit: events: item 3: \"start\" is listed twice" \
	"$?|$out"
audit_yaml "err.jsonl"
out=$("$MODINIT_BIN" --check-config -c "$WORK/audit.yaml" 2>&1)
expect_eq "a relative file: one line at the value, 78" \
	"78|modinit: error: $WORK/audit.yaml:3:11: audit: file: expected an absolute path, got \"err.jsonl\"" \
	"$?|$out"
check "and nothing was spawned or created" test ! -e "$WORK/spawned" -a ! -e "$WORK/err.jsonl"

audit_yaml "$WORK/dry.jsonl"
out=$("$MODINIT_BIN" --check-config -c "$WORK/audit.yaml" 2>&1)
expect_eq "--check-config passes" "0|$WORK/audit.yaml: OK, 1 module: audit" "$?|$out"
check "a dry run creates no file" test ! -e "$WORK/dry.jsonl"

ln -s "$WORK/target" "$WORK/link"
audit_yaml "$WORK/link"
out=$(pid1 -c "$WORK/audit.yaml" -- touch "$WORK/spawned" 2>&1)
expect_eq "a symbolic link is not followed: 78 before the command" \
	"78|modinit: error: $WORK/audit.yaml:2:5: audit: cannot open $WORK/link: Too many levels of symbolic links" \
	"$?|$(quiet "$out")"
check "and nothing was written through it" test ! -e "$WORK/target" -a ! -e "$WORK/spawned"

# A FIFO nobody reads, filled up before modinit starts: every line is
# dropped and counted, and modinit does not wait (it would until $LIMIT).
mkfifo "$WORK/full"
exec 4<>"$WORK/full"
dd if=/dev/zero of="$WORK/full" bs=4096 count=256 oflag=nonblock conv=notrunc 2>/dev/null
audit_yaml "$WORK/full"
out=$(pid1 -c "$WORK/audit.yaml" -- true 2>&1)
expect_eq "a full FIFO: modinit goes on, drops and counts the 6 lines" \
	"0|modinit: warning: audit: $WORK/full: Resource temporarily unavailable: events are dropped and counted until it can take them
modinit: warning: audit: 6 events dropped, not written to $WORK/full" "$?|$(quiet "$out")"
exec 4>&-

# ---- sidecar -----------------------------------------------------------

# The sidecar of the restart run: it tells the test it started, fails the
# first time, then stays until its stop signal, which it records. TERM
# (modinit's own stop signal, sent after on_shutdown) is ignored, so only
# the module's stop_signal can end it before the grace period. The trap
# also ends the sleep: one forked but not yet exec'd has the shell's
# handler, and would lose a signal sent to the group at that moment.
cat >"$WORK/side-a.sh" <<'EOS'
W=$(dirname "$0")
trap '' TERM
trap 'echo "stopped $$" >>"$W/marks"; kill -KILL $! 2>/dev/null; exit 0' USR2
echo "start $$" >>"$W/starts"
echo "start $$" >"$W/side"
[ -e "$W/first" ] || { : >"$W/first"; exit 1; }
sleep 1000 &
wait
EOS
# The subreaper run: the sidecar starts a grandchild in its process group
# that catches the stop signal; both ignore TERM.
cat >"$WORK/side-b.sh" <<'EOS'
W=$(dirname "$0")
trap '' TERM
sh "$W/grandchild.sh" &
echo "sidecar $$" >"$W/side"
wait
EOS
cat >"$WORK/grandchild.sh" <<'EOS'
W=$(dirname "$0")
trap 'echo "grandchild got USR2" >>"$W/marks-b"; kill -KILL $! 2>/dev/null; exit 0' USR2
sleep 1000 &
echo "grandchild $$ $!" >"$W/side"
wait
EOS
fifo side
mkfifo "$WORK/go"

# sidecar_yaml SCRIPT: the sidecar running sh SCRIPT, stop signal USR2,
# and a grace period long enough that only the module can stop it in time.
sidecar_yaml() {
	cat >"$WORK/sidecar.yaml" <<EOC
shutdown: {grace: 20s}
modules:
  - path: $SIDECAR
    command: [sh, $WORK/$1]
    restart: on-failure
    backoff: 100ms
    stop_signal: SIGUSR2
EOC
}

sidecar_yaml side-a.sh
bg_pid1 -c "$WORK/sidecar.yaml" -- sh -c 'read x <"$1"' sh "$WORK/go" 2>"$WORK/log-a"
first=$(get_line)
second=$(get_line)
timeout 10 sh -c 'echo go >"$1"' sh "$WORK/go"
wait "$BG"
rc=$?
expect_eq "the sidecar failed once and was started again" \
	"start ${first#start }|start ${second#start }" "$(cat "$WORK/starts" | tr '\n' '|' | sed 's/|$//')"
check "as another process" test -n "${first#start }" -a "$first" != "$second"
expect_eq "the restart is logged with its status and backoff, the stop with its end" \
	"0|modinit: info: sidecar: 'sh' (pid ${first#start }) exited with status 1: starting it again in 100 ms
modinit: info: sidecar: 'sh' (pid ${second#start }) exited with status 0" "$rc|$(quiet "$(cat "$WORK/log-a")")"
expect_eq "at shutdown it got its stop_signal (USR2), not only modinit's TERM" \
	"stopped ${second#start }" "$(cat "$WORK/marks" 2>&1)"

# The policies: the sidecar tells its pid and ends with the code given;
# the command ends once it is reaped, which is when modinit has decided
# (and logged) whether it starts again. The backoff outlasts the run.
cat >"$WORK/side-c.sh" <<'EOS'
echo $$ >"$(dirname "$0")/p"
exit "$1"
EOS
cat >"$WORK/side-main.sh" <<'EOS'
W=$(dirname "$0")
n=0
until [ -s "$W/p" ] || [ "$n" -ge 2000 ]; do sleep 0.01; n=$((n + 1)); done
p=$(cat "$W/p")
while [ -e "/proc/$p" ] && [ "$n" -lt 4000 ]; do sleep 0.01; n=$((n + 1)); done
EOS
policy() {
	rm -f "$WORK/p"
	printf 'modules:\n  - path: %s\n    command: [sh, %s, "%s"]\n    restart: %s\n    backoff: 5s\n' \
		"$SIDECAR" "$WORK/side-c.sh" "$2" "$1" >"$WORK/policy.yaml"
	out=$(pid1 -c "$WORK/policy.yaml" -- sh "$WORK/side-main.sh" 2>&1)
	printf '%s|%s\n' "$?" "$(quiet "$out" | sed "s/(pid $(cat "$WORK/p" 2>&1))/(pid P)/")"
}
expect_eq "restart: on-failure, exit 0: not started again; always, exit 0 and on-failure, exit 1: again; never, exit 1: not" \
"0|modinit: warning: sidecar: 'sh' (pid P) exited with status 0: not started again (restart: on-failure)
0|modinit: info: sidecar: 'sh' (pid P) exited with status 0: starting it again in 5000 ms
0|modinit: info: sidecar: 'sh' (pid P) exited with status 1: starting it again in 5000 ms
0|modinit: warning: sidecar: 'sh' (pid P) exited with status 1: not started again (restart: never)" \
	"$(policy on-failure 0; policy always 0; policy on-failure 1; policy never 1)"

# As a subreaper nothing dies with a namespace: what is left is really left.
sidecar_yaml side-b.sh
bg_sub -c "$WORK/sidecar.yaml" -- sh -c 'read x <"$1"' sh "$WORK/go" 2>"$WORK/log-b"
l1=$(get_line)
l2=$(get_line)
pids=$(printf '%s\n%s\n' "$l1" "$l2" | sed 's/^[a-z]* //')
timeout 10 sh -c 'echo go >"$1"' sh "$WORK/go"
wait "$BG"
rc=$?
expect_eq "the stop signal went to the sidecar's whole group" \
	"0|grandchild got USR2" "$rc|$(cat "$WORK/marks-b" 2>&1)"
left=
for p in $pids; do
	st=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
	case $st in Z*) ;; *) left="$left $p" ;; esac
done
expect_eq "no process of the sidecar is left (3 pids checked)" "3|" \
	"$(echo $pids | wc -w)|$left"
finish
