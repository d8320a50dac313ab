# Shared helpers for the integration tests: a tiny TAP producer and ways to
# run the staged modinit binary as PID 1 of a new PID namespace or as a
# subreaper.  Sourced by every tests/integration/*.sh and tests/e2e/*.sh.
#
# Environment (set by `make check`, see AM_TESTS_ENVIRONMENT):
#   MODINIT_BIN       the staged binary            MODINIT_MODDIR  its modules
#   MODINIT_HELPERS   tests/helpers in the build   MODINIT_FIXTURES fixture .so
#   MODINIT_SRCDIR    the source tree              MODINIT_WRAPPER e.g. valgrind

set -u

: "${MODINIT_BIN:?run through make check}"
: "${MODINIT_HELPERS:?run through make check}"
MODINIT_WRAPPER=${MODINIT_WRAPPER:-}
TESTCHILD=$MODINIT_HELPERS/testchild

# Upper bound for one modinit run, in seconds (valgrind is slower).
if [ -n "$MODINIT_WRAPPER" ]; then LIMIT=${LIMIT:-120}; else LIMIT=${LIMIT:-30}; fi

_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# The pass against the static modinit (MODINIT_STATIC=1, set by
# tests/static-pass.sh): every bundled module is built in and there is no
# dynamic loader, so a case that loads a .so file cannot run there.
STATIC_SO="the static modinit loads built-in modules only, no .so files"
static() { [ "${MODINIT_STATIC:-}" = 1 ]; }

# so_only WHAT: a test whose every case loads .so modules (fixtures, the
# examples, the loader's own checks) is skipped whole in the static pass.
so_only() {
	if static; then skip_all "$*: $STATIC_SO"; fi
}

# need_dlopen N: in the static pass, report the next N cases skipped and
# return 1; elsewhere return 0.   if need_dlopen 2; then ...2 cases...; fi
need_dlopen() {
	static || return 0
	_k=$1
	while [ "$_k" -gt 0 ]; do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $STATIC_SO"
		_k=$((_k - 1))
	done
	return 1
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESC COMMAND...: one TAP line from a command's status.
check() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: $2" "     got: $3"
	fi
}

# expect_match DESC REGEX TEXT (grep -E on the whole text)
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected to match: $2" "got:" "$3"
	fi
}

# expect_nomatch DESC REGEX TEXT
expect_nomatch() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		not_ok "$1"
		diag "expected not to match: $2" "got:" "$3"
	else
		ok "$1"
	fi
}

# A private scratch directory, removed at exit together with anything the
# test left running in the background.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modinit-test.XXXXXX")
_cleanup() {
	for _p in $(jobs -p); do kill -KILL "$_p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# trusted_work: move the (still empty) $WORK into the build tree, for tests
# that load modules from it: modinit refuses a module below any directory
# that others can write, and a sticky /tmp is one.
trusted_work() {
	_tw=$(mktemp -d "$MODINIT_BUILDDIR/tests/work.XXXXXX") || return 1
	chmod 0755 "$_tw" && rmdir "$WORK" && WORK=$_tw
}

finish() {
	if [ "$_tap_failed" -ne 0 ]; then exit 1; fi
	exit 0
}

need_root_ns() {
	if ! unshare --pid --fork --kill-child --mount-proc true 2>/dev/null; then
		skip_all "cannot create a PID namespace here (unshare needs root)"
	fi
}

# pid1 [MODINIT ARGS...]: run modinit as PID 1 of a new PID namespace, with
# a private /proc, bounded by $LIMIT seconds.  The namespace dies with it.
# Its exit status is modinit's (124 or 137 if the bound was hit).
pid1() {
	timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc \
		$MODINIT_WRAPPER "$MODINIT_BIN" "$@"
}

# sub [MODINIT ARGS...]: run modinit as an ordinary process (a subreaper).
sub() {
	timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$MODINIT_BIN" "$@"
}

# bare [MODINIT ARGS...]: modinit without wrapper and bound, for the cases
# where the test itself must signal the modinit process (its pid is $!
# when started with &).
bare() {
	"$MODINIT_BIN" "$@"
}

# signum NAME: the number of signal NAME (USR1, not SIGUSR1). dash's
# "kill -l NAME" fails, but every shell's "kill -l NUMBER" names a number.
signum() {
	_i=1
	while [ "$_i" -le 64 ]; do
		if [ "$(kill -l "$_i" 2>/dev/null)" = "$1" ]; then
			echo "$_i"
			return 0
		fi
		_i=$((_i + 1))
	done
	return 1
}

# wait_file FILE [SECONDS]: block until FILE exists and is non-empty.  Used
# only where the test has no pipe to read from; polls every 10 ms.
wait_file() {
	_n=$(( ${2:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		[ -s "$1" ] && return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# zombies_of PID: number of zombie processes whose parent is PID, read
# from /proc (the comm field may hold spaces, so cut after its ')').
zombies_of() {
	_zp=$1
	_c=0
	for _s in /proc/[0-9]*/stat; do
		_l=$(sed 's/^.*) //' "$_s" 2>/dev/null) || continue
		set -- $_l
		if [ "${1:-}" = Z ] && [ "${2:-}" = "$_zp" ]; then _c=$((_c + 1)); fi
	done
	echo "$_c"
}

# zombies_all: number of zombies visible in this /proc (inside a PID
# namespace with its own /proc mounted: the namespace's zombies).
zombies_all() {
	_c=0
	for _s in /proc/[0-9]*/stat; do
		_l=$(sed 's/^.*) //' "$_s" 2>/dev/null) || continue
		set -- $_l
		if [ "${1:-}" = Z ]; then _c=$((_c + 1)); fi
	done
	echo "$_c"
}

# child_of PID: the first child of PID, waiting (up to 10 s) for it to exist.
child_of() {
	_n=1000
	while [ "$_n" -gt 0 ]; do
		_c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || _c=
		if [ -n "$_c" ]; then
			set -- $_c
			echo "$1"
			return 0
		fi
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# bg_pid1 [MODINIT ARGS...]: start modinit as PID 1 of a new PID namespace in
# the background. Sets BG (wait for it: its status is modinit's) and HOSTPID
# (modinit's pid as seen from here, for kill and /proc).
bg_pid1() {
	timeout -k 5 "$LIMIT" unshare --pid --fork --kill-child --mount-proc \
		$MODINIT_WRAPPER "$MODINIT_BIN" "$@" &
	BG=$!
	HOSTPID=$(child_of "$(child_of "$BG")")
}

# bg_sub [MODINIT ARGS...]: the same for modinit as an ordinary process.
bg_sub() {
	timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$MODINIT_BIN" "$@" &
	BG=$!
	HOSTPID=$(child_of "$BG")
}

# fifo NAME: create $WORK/NAME as a FIFO and open it read-write on fd 3, so
# that opening it never blocks and a closing writer is no end of file.
fifo() {
	mkfifo "$WORK/$1"
	exec 3<>"$WORK/$1"
}

# get_line [SECONDS]: one line from fd 3, waiting at most SECONDS (10). The
# shell's read takes a pipe one byte at a time, so nothing else is consumed.
get_line() {
	timeout "${1:-10}" sh -c 'IFS= read -r l && printf "%s\n" "$l"' <&3
}

# wait_gone PID [SECONDS]: wait until PID no longer exists (or is a zombie).
# An empty PID (a workload that never said which) is a failure, not "gone".
wait_gone() {
	[ -n "$1" ] || return 1
	_n=$(( ${2:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
		case $_st in Z*) return 0 ;; esac
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# wait_reaped PID [SECONDS]: wait until PID has been reaped (no /proc entry,
# not even a zombie's).
wait_reaped() {
	[ -n "$1" ] || return 1
	_n=$(( ${2:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		[ -e "/proc/$1" ] || return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# wait_grep FILE REGEX [SECONDS]: wait until a line of FILE (a log being
# written by modinit) matches REGEX.
wait_grep() {
	_n=$(( ${3:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# wait_idle PID [SECONDS]: wait until PID sleeps in epoll_wait, i.e. modinit
# has finished what it was doing and is idle: the start of a window in which
# its wakeups are counted.
wait_idle() {
	_n=$(( ${2:-10} * 100 ))
	while [ "$_n" -gt 0 ]; do
		[ "$(cat "/proc/$1/wchan" 2>/dev/null)" = do_epoll_wait ] && return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# health_re STATUS READY: the regex of the line of modinit's status document
# (STATE_DIR/status) that gives the container's health (starting, healthy,
# unhealthy) and readiness (true, false), for wait_grep.
health_re() { echo "^  \"health\": \"$1\", \"ready\": $2,\$"; }

# status_detail DIR: the health details the modules published in DIR/status,
# decoded: what modinit --health prints while that modinit runs.
status_detail() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("".join(m["detail"] for m in d["modules"] if m["detail"]), end="")' "$1/status"
}

# health_of DIR: "WRITER|HEALTH READY" from DIR/status, e.g. "running|healthy
# true", "stopped|unhealthy false".
health_of() {
	sed -n -e 's/^{"writer": .*"running": true},$/running/p' \
		-e 's/^{"writer": .*"running": false},$/stopped/p' \
		-e 's/^  "health": "\([a-z]*\)", "ready": \([a-z]*\),$/\1 \2/p' "$1/status" |
		paste -sd '|'
}
