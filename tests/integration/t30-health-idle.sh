#!/bin/sh
# healthcheck keeps modinit asleep between probes: with the endpoint open and
# no probe due, not one voluntary context switch; with a probe every second,
# the switches follow the probes the server saw (a few per probe, for the
# timer, the connect and the status files), never a steady ticking.
# Counts, not timings: the windows only decide how many probes fall in them.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
if [ -n "$MODINIT_WRAPPER" ]; then
	skip_all "context switches under $MODINIT_WRAPPER measure the wrapper"
fi
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the test server"
plan 5
MP="--module-path $MODINIT_MODDIR"
STUB=$MODINIT_SRCDIR/tests/helpers/httpstub.py
ST=$WORK/st

switches() { awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$1/status"; }
accepts() { grep -c '^accept$' "$WORK/tcp.log" 2>/dev/null || true; }

fifo port
python3 "$STUB" serve "$WORK/port" "$WORK/mode" "$WORK/tcp.log" &
PORT=$(get_line)
EP=$(python3 "$STUB" freeport)

# A probe due in an hour, the endpoint listening: nothing to do.
cat >"$WORK/idle.yaml" <<EOC
modules:
  - name: healthcheck
    listen: 127.0.0.1:$EP
    checks:
      - name: db
        tcp: 127.0.0.1:$PORT
        interval: 1h
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/idle.yaml" -- sleep 1000 2>"$WORK/err"
wait_file "$ST/status"
wait_idle "$HOSTPID" # modinit done with its start, asleep in epoll_wait
before=$(switches "$HOSTPID")
sleep 3 # the window observed, not a synchronisation
after=$(switches "$HOSTPID")
expect_eq "no probe due: no wakeup in 3 s (voluntary switches $before -> $after)" "$before" "$after"
kill -TERM "$HOSTPID"
wait "$BG"

# A probe every second.
sed 's/interval: 1h/interval: 1s/' "$WORK/idle.yaml" >"$WORK/busy.yaml"
rm -rf "$ST"
bg_pid1 $MP --state-dir "$ST" -c "$WORK/busy.yaml" -- sleep 1000 2>"$WORK/err"
wait_grep "$ST/status" "$(health_re healthy true)"
p0=$(accepts)
s0=$(switches "$HOSTPID")
sleep 6 # the window observed
s1=$(switches "$HOSTPID")
p1=$(accepts)
probes=$((p1 - p0))
woke=$((s1 - s0))
diag "probes in the window: $probes, voluntary switches: $woke"
check "the probes ran on schedule (4 to 7 in 6 s)" test "$probes" -ge 4 -a "$probes" -le 7
# The two counters cannot be read at the same instant: a probe at either
# edge of the window can have its connection accepted inside it while the
# wakeup that sent it is counted outside (seen on a loaded machine).
check "modinit woke for them (at least once per probe not at an edge)" \
	test "$woke" -ge $((probes - 2))
check "and only for them (at most 5 switches per probe, +5 at the edges)" \
	test "$woke" -le $((5 * probes + 5))
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "it ends as usual (143)" 143 "$?"
finish
