#!/bin/sh
# modinit --status prints the status document the core keeps in the state
# directory (STATE_DIR/status): its writer (pid, start time, running), the
# lifecycle phase, the main command's pid, the container's health and
# readiness, and each module's publications; it exits 0 while that modinit
# runs, 1 once it has stopped, 78 for an unsafe directory. The document
# follows the run (running, stopping, done), --health prints the detail
# published in it, and healthcheck's endpoint serves it as /status. Nothing is written when no module publishes anything or
# asks for the directory.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v jq >/dev/null 2>&1 || skip_all "jq is needed to read the JSON document"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test client"
plan 16
MP="--module-path $MODINIT_MODDIR"
ST=$WORK/st

# status DIR [ARGS]: "EXIT|stderr" of modinit --status, its stdout in $WORK/out.
status() {
	_d=$1
	shift
	_e=$(timeout 10 "$@" "$MODINIT_BIN" --status --state-dir "$_d" 2>&1 >"$WORK/out")
	echo "$?|$_e"
}
# field FILTER: jq's raw answer about the last --status output.
field() { jq -r "$1" "$WORK/out"; }

pid1 --state-dir "$WORK/none" -- true
expect_eq "no module publishes or asks: no directory, no document" "0|absent" \
	"$?|$([ -e "$WORK/none" ] && echo present || echo absent)"
expect_eq "--status without a document: 1" \
	"1|modinit: error: no status in $WORK/none: No such file or directory" "$(status "$WORK/none")"
mkdir "$WORK/open"
chmod 777 "$WORK/open"
expect_eq "--status refuses an unsafe directory (78)" \
	"78|modinit: error: unsafe state directory $WORK/open: writable by group or others (mode 0777)" \
	"$(status "$WORK/open")"
out=$("$MODINIT_BIN" --status foo 2>&1)
expect_eq "--status takes no command (64)" \
	"64|modinit: error: --status takes no command, got \"foo\"" "$?|$out"

# A check that fails once $WORK/up is gone, ending the container with 5; the
# command holds on to the stop signal until $WORK/go exists, so the stopping
# phase can be seen.
touch "$WORK/up"
PORT=$(python3 "$MODINIT_SRCDIR/tests/helpers/httpstub.py" freeport)
cat >"$WORK/hc.yaml" <<EOC
modules:
  - name: healthcheck
    listen: 127.0.0.1:$PORT
    checks:
      - name: app
        exec: [test, -e, "$WORK/up"]
        interval: 100ms
        retries: 1
    on_unhealthy: exit:5
EOC
bg_pid1 $MP --grace 20s --state-dir "$ST" -c "$WORK/hc.yaml" -- sh -c "
	trap 'echo term >\"$WORK/term\"; until [ -e \"$WORK/go\" ]; do sleep 0.01; done; exit 3' TERM
	echo \$\$ >\"$WORK/main.pid\"
	while :; do sleep 0.05; done" 2>"$WORK/err"
wait_grep "$ST/status" "$(health_re healthy true)" 30
wait_file "$WORK/main.pid"
expect_eq "--status while its modinit runs: 0" "0|" "$(status "$ST" nsenter -t "$HOSTPID" -p -m)"
expect_eq "... names its writer (PID 1, its start time), the phase and the command" \
	"1|$(cut -d' ' -f22 "/proc/$HOSTPID/stat")|true|running|$(cat "$WORK/main.pid")" \
	"$(field '[.writer.pid, .writer.start, .writer.running, .phase, .main_pid] | join("|")')"
expect_eq "... the container's health and every module's publications" \
	"healthy|true|healthcheck=healthy ready=healthy=true" \
	"$(field '[.health, .ready, (.modules[] | [.name, .status, .health, .ready] | join("="))] | join("|")')"
jq -j '.modules[0].detail' "$WORK/out" >"$WORK/detail"
nsenter -t "$HOSTPID" -p -m timeout 10 "$MODINIT_BIN" --health --state-dir "$ST" \
	>"$WORK/health.out" 2>"$WORK/health.err"
expect_eq "--health prints the detail published in the document" "0||same" \
	"$?|$(cat "$WORK/health.err")|$(cmp -s "$WORK/detail" "$WORK/health.out" && echo same)"
printf 'GET /status HTTP/1.1\r\n\r\n' |
	python3 "$MODINIT_SRCDIR/tests/helpers/httpstub.py" ask "$PORT" >"$WORK/answer"
expect_eq "the endpoint's /status: 200 with the same document" "HTTP/1.1 200 OK|same" \
	"$(head -n 1 "$WORK/answer" | tr -d '\r')|$(sed '1,/^\r$/d' "$WORK/answer" | cmp -s - "$WORK/out" && echo same)"

rm "$WORK/up"
check "the command got the stop signal" wait_file "$WORK/term" 30
check "the document follows the run into stopping" wait_grep "$ST/status" '^  "phase": "stopping", ' 30
expect_eq "stopping: the phase, the health, the command still there" \
	"0|stopping|unhealthy|false|$(cat "$WORK/main.pid")" \
	"$(status "$ST" nsenter -t "$HOSTPID" -p -m | cut -d'|' -f1)|$(field '[.phase, .health, .ready, .main_pid] | join("|")')"
touch "$WORK/go"
wait "$BG"
expect_eq "the run ends with the check's exit:5" 5 "$?"
expect_eq "--status once the run has ended: 1, with the document" \
	"1|modinit: error: no running modinit owns $ST/status (it has stopped)" "$(status "$ST")"
expect_eq "... marked stopped, done, no command" "false|done|null|unhealthy" \
	"$(field '[.writer.running, .phase, (.main_pid | tostring), .health] | join("|")')"
expect_eq "the document is the only file in the directory" "status" "$(ls -A "$ST")"
finish
