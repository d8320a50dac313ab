#!/bin/sh
# The state directory trusts nothing another user could have planted: a
# directory owned by another user, writable by group or others (sticky or
# not) or reached through a symbolic link is refused at setup (78, nothing
# started), for modinit as root and as an ordinary uid; a symlink planted at
# a temporary name is not written through and a FIFO does not hang PID 1.
# modinit --health reads only a regular file (the status document) in a
# trusted directory, and only while the modinit that wrote it still runs:
# SIGKILLed, ended, or named in a forged file, it answers 1 with the reason.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 29
MP="--module-path $MODINIT_MODDIR"
U=4220
U2=4221
# An unprivileged modinit must reach the configs and its state directories.
chmod 755 "$WORK"

cat >"$WORK/hc.yaml" <<EOC
modules:
  - name: healthcheck
    checks:
      - name: app
        exec: ["true"]
        interval: 100ms
        retries: 1
EOC
# The same check with no probe due while a short run lasts, for the runs
# whose stderr must stay empty: a probe's result is logged, and whether one
# ran before `true` ended depends on the machine's load.
sed 's/interval: 100ms/interval: 1h/' "$WORK/hc.yaml" >"$WORK/quiet.yaml"

# refused DESC DIR EXPECTED-REASON [MODINIT RUNNER]: setup ends with 78 and
# exactly one line, and the command never ran.
refused() {
	rm -f "$WORK/ran"
	_err=$(pid1 $MP --state-dir "$2" -c "$WORK/hc.yaml" -- touch "$WORK/ran" 2>&1)
	expect_eq "$1" "78|modinit: error: unsafe state directory $2: $3|no command" \
		"$?|$_err|$([ -e "$WORK/ran" ] && echo ran || echo no command)"
}

# --- the directory itself ---
D=$WORK/other
mkdir -m 755 "$D"
chown $U2:$U2 "$D"
refused "owned by another user: refused" "$D" "owned by uid $U2 (expected root)"
D=$WORK/open
mkdir "$D"
chmod 777 "$D"
refused "mode 0777: refused" "$D" "writable by group or others (mode 0777)"
D=$WORK/sticky
mkdir "$D"
chmod 1777 "$D"
refused "mode 1777 (like /tmp): refused" "$D" "writable by group or others (mode 1777)"
D=$WORK/group
mkdir "$D"
chmod 775 "$D"
refused "mode 0775: refused" "$D" "writable by group or others (mode 0775)"
mkdir -m 755 "$WORK/real"
ln -s "$WORK/real" "$WORK/link"
refused "a symbolic link: refused" "$WORK/link" "a symbolic link"
check "nothing was written through the link" test -z "$(ls -A "$WORK/real")"
: >"$WORK/plain"
refused "a regular file: refused" "$WORK/plain" "not a directory"

D=$WORK/new/st
mkdir -m 755 "$WORK/new"
pid1 $MP --state-dir "$D" -c "$WORK/quiet.yaml" -- true 2>"$WORK/err"
expect_eq "a missing directory is created 0755 and used" "0|755|0:0|" \
	"$?|$(stat -c '%a|%u:%g' "$D")|$(cat "$WORK/err")"
expect_eq "its status document is a regular file" "regular file" "$(stat -c %F "$D/status")"

D=$WORK/nodir
out=$("$MODINIT_BIN" $MP --check-config --state-dir "$D" -c "$WORK/hc.yaml" 2>&1)
expect_eq "--check-config checks but creates nothing" \
	"0|$WORK/hc.yaml: OK, 1 module: healthcheck|absent" \
	"$?|$out|$([ -e "$D" ] && echo present || echo absent)"
out=$("$MODINIT_BIN" $MP --check-config --state-dir "$WORK/open" -c "$WORK/hc.yaml" 2>&1)
expect_eq "--check-config refuses an unsafe directory too" \
	"78|modinit: error: unsafe state directory $WORK/open: writable by group or others (mode 0777)" \
	"$?|$out"

# --- an unprivileged modinit: root's or its own directory, nobody else's ---
asu() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }
D=$WORK/mine
mkdir -m 755 "$D"
chown $U:$U "$D"
asu timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$MODINIT_BIN" -s $MP --state-dir "$D" \
	-c "$WORK/quiet.yaml" -- true 2>"$WORK/err"
expect_eq "uid $U: its own directory is used" "0||$U" \
	"$?|$(cat "$WORK/err")|$(stat -c %u "$D/status")"
D=$WORK/other
rm -f "$WORK/ran"
err=$(asu timeout -k 5 "$LIMIT" $MODINIT_WRAPPER "$MODINIT_BIN" -s $MP --state-dir "$D" \
	-c "$WORK/hc.yaml" -- touch "$WORK/ran" 2>&1)
expect_eq "uid $U: another user's directory is refused" \
	"78|modinit: error: unsafe state directory $D: owned by uid $U2 (expected root or uid $U)|no command" \
	"$?|$err|$([ -e "$WORK/ran" ] && echo ran || echo no command)"

# --- what root's modinit finds planted inside a trusted directory ---
D=$WORK/planted
mkdir -m 755 "$D"
echo "root only" >"$WORK/victim"
chmod 600 "$WORK/victim"
ln -s "$WORK/victim" "$D/.status.tmp"
pid1 $MP --state-dir "$D" -c "$WORK/quiet.yaml" -- true 2>"$WORK/err"
expect_eq "a planted symlink does not stop the run" "0|" "$?|$(cat "$WORK/err")"
expect_eq "a symlink at the temporary name is not written through" "root only" \
	"$(cat "$WORK/victim")"
expect_eq "the status document is a regular file" "regular file" "$(stat -c %F "$D/status")"
rm -f "$D/status" "$D/.status.tmp"
mkfifo "$D/.status.tmp"
pid1 $MP --state-dir "$D" -c "$WORK/quiet.yaml" -- true 2>"$WORK/err"
expect_eq "a planted FIFO does not hang PID 1" "0|" "$?|$(cat "$WORK/err")"
expect_eq "... and the document is a regular file" "regular file" "$(stat -c %F "$D/status")"

# --- modinit --health ---
# health DIR: "STATUS|what it wrote on stderr" of modinit --health.
health() {
	_o=$(timeout 10 "$MODINIT_BIN" --health --state-dir "$1" 2>&1 >/dev/null)
	echo "$?|$_o"
}
# forge PID START: a healthy status document naming PID, started at START.
forge() {
	printf '{"writer": {"pid": %d, "start": %s, "running": true},\n' "$1" "$2"
	printf '  "phase": "running", "main_pid": null,\n  "health": "healthy", "ready": true,\n'
	printf '  "modules": [\n  ]}\n'
}
D=$WORK/forged
mkdir -m 755 "$D"
mkfifo "$D/status"
expect_eq "--health: a FIFO is not opened for reading (no hang)" \
	"1|modinit: error: $D/status: not a regular file" "$(health "$D")"
rm "$D/status"
forge $$ "$(cut -d' ' -f22 /proc/$$/stat)" >"$WORK/good"
ln -s "$WORK/good" "$D/status"
expect_eq "--health: a symbolic link is not followed" \
	"1|modinit: error: $D/status: not a regular file" "$(health "$D")"
rm "$D/status"
cp "$WORK/good" "$WORK/open/status"
expect_eq "--health: an unsafe directory is refused (78)" \
	"78|modinit: error: unsafe state directory $WORK/open: writable by group or others (mode 0777)" \
	"$(health "$WORK/open")"
sleep 1000 &
OTHER=$!
forge "$OTHER" 1 >"$D/status"
expect_eq "--health: a file naming a live process with another start time" \
	"1|modinit: error: no running modinit owns $D/status (pid $OTHER is another process)" \
	"$(health "$D")"
kill "$OTHER"

D=$WORK/run
mkdir -m 755 "$D"
# The command says its pid: it outlives a SIGKILLed modinit and is killed here.
bg_sub $MP --state-dir "$D" -c "$WORK/hc.yaml" -- \
	sh -c "echo \$\$ >'$WORK/main.pid'; exec sleep 1000" 2>"$WORK/err"
wait_grep "$D/status" "$(health_re healthy true)"
expect_eq "--health while its modinit runs: 0" "0|" "$(health "$D")"
wait_file "$WORK/main.pid"
kill -KILL "$HOSTPID"
wait "$BG"
kill -KILL "$(cat "$WORK/main.pid")"
expect_eq "--health after modinit was SIGKILLed: 1" \
	"1|modinit: error: no running modinit owns $D/status (pid $HOSTPID is gone)" \
	"$(health "$D")"

# As PID 1: --health inside the namespace sees it; once it is SIGKILLed, pid
# 1 is someone else.
rm -rf "$D"
bg_pid1 $MP --state-dir "$D" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
wait_grep "$D/status" "$(health_re healthy true)"
out=$(nsenter -t "$HOSTPID" -p -m timeout 10 "$MODINIT_BIN" --health --state-dir "$D" 2>&1 \
	>/dev/null)
st=$?
expect_eq "--health in the namespace of a running PID 1: 0" "0|" "$st|$out"
kill -KILL "$HOSTPID"
wait "$BG"
expect_eq "--health after PID 1 was SIGKILLed: 1" \
	"1|modinit: error: no running modinit owns $D/status (pid 1 is another process)" \
	"$(health "$D")"

# A run that ends normally leaves a status nobody may trust.
rm -rf "$D"
pid1 $MP --state-dir "$D" -c "$WORK/hc.yaml" -- \
	sh -c "until grep -qs '^  \"health\": \"healthy\", \"ready\": true,\$' '$D/status'; do sleep 0.01; done" \
	2>"$WORK/err"
expect_eq "the command saw healthy and ended (0)" "0|" "$?|$(grep -v ': info: ' "$WORK/err")"
expect_eq "--health once the run has ended: 1" \
	"1|modinit: error: no running modinit owns $D/status (it has stopped)" \
	"$(health "$D")"
expect_eq "the status is kept, marked stopped" "stopped|healthy true" "$(health_of "$D")"
finish
