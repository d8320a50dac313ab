#!/bin/sh
# Host services know the lifecycle phase: a fixture module calls signal,
# spawn, request_shutdown and restart_main from its hooks and from init, as
# PID 1, as a subreaper, under --check-config and in mode exec. Outside the
# phases where a service means something it answers -EAGAIN, and no signal
# ever leaves modinit's own tree (strace on a run outside a namespace).
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
so_only "phases are probed by a fixture module"
plan 26
P=$MODINIT_BUILDDIR/tests/fixtures/phases/.libs
ALL=signal,spawn,shutdown,restart

# yaml FILE CALL FROM [HELPER] [MODULE]
yaml() {
	cat >"$1" <<EOC
shutdown: {grace: 20s}
modules:
  - path: $P/${5:-phases}.so
    call: $2
    from: $3
    helper: '${4:-exit 0}'
EOC
}
# lines HOOK FILE: the service results the module logged from HOOK.
lines() { grep -E "^modinit: info: phases(-exec)?: $1: " "$2" | sed 's/^modinit: info: //'; }

REFUSED='signal main = EAGAIN
signal all = EAGAIN
spawn = EAGAIN
request_shutdown = EAGAIN
restart_main = EAGAIN'
refused() { echo "$REFUSED" | sed "s/^/$1$2: /"; }

# 1. Before the loop (init) and after the run (on_exit, fini): refused.
# From on_start (the loop runs, no command yet): signal and spawn work.
yaml "$WORK/early.yaml" "$ALL" init,on_start,on_exit,fini
for how in pid1 sub; do
	$how -c "$WORK/early.yaml" -- sh -c 'exit 3' 2>"$WORK/$how.err"
	expect_eq "$how: the command's status (3)" 3 "$?"
	expect_eq "$how: every service refused in init" "$(refused 'phases: ' init)" \
		"$(lines init "$WORK/$how.err" | grep -v dry_run)"
	expect_eq "$how: on_start: signal and spawn work, shutdown and restart refused" \
"phases: on_start: signal main = ESRCH
phases: on_start: signal all = 0
phases: on_start: spawn = 0
phases: on_start: request_shutdown = EAGAIN
phases: on_start: restart_main = EAGAIN" "$(lines on_start "$WORK/$how.err")"
	expect_eq "$how: every service refused in on_exit and fini" \
		"$(refused 'phases: ' on_exit; refused 'phases: ' fini)" \
		"$(lines 'on_exit|fini' "$WORK/$how.err")"
done

# 2. --check-config: a dry run the module is told of in init; nothing that
# touches processes is done.
yaml "$WORK/all.yaml" "$ALL" all
pid1 --check-config -c "$WORK/all.yaml" >"$WORK/out" 2>"$WORK/check.err"
expect_eq "--check-config: exit 0" 0 "$?"
expect_eq "--check-config: init is told it is a dry run" "phases: init: dry_run = true" \
	"$(lines init "$WORK/check.err" | grep dry_run)"
expect_eq "--check-config: every service refused in init and fini" \
	"$(refused 'phases: ' init; refused 'phases: ' fini)" \
	"$(lines 'init|fini' "$WORK/check.err" | grep -v dry_run)"
sub -c "$WORK/all.yaml" -- true 2>"$WORK/run.err"
expect_eq "a real run: init is told it is not a dry run" "phases: init: dry_run = false" \
	"$(lines init "$WORK/run.err" | grep dry_run)"

# 3. mode exec: nothing is supervised, so nothing is allowed, on_start included.
yaml "$WORK/exec.yaml" "$ALL" all 'exit 0' phases-exec
printf 'mode: exec\n' >>"$WORK/exec.yaml"
for how in pid1 sub; do
	$how --module-path "$MODINIT_MODDIR" -c "$WORK/exec.yaml" -- sh -c 'exit 4' 2>"$WORK/exec-$how.err"
	expect_eq "exec, $how: the command's status (4)" 4 "$?"
	expect_eq "exec, $how: every service refused in init and on_start" \
		"$(refused 'phases-exec: ' init; refused 'phases-exec: ' on_start)" \
		"$(lines 'init|on_start' "$WORK/exec-$how.err" | grep -v dry_run)"
done

# 4. A helper spawned from on_shutdown is there for the stop signal that
# follows: it ends with the rest (killed by SIGTERM, status 15), within the
# grace period, and nothing is left running. A request_shutdown from
# on_shutdown is allowed: the first request's code (7) wins over the
# command's status.
yaml "$WORK/late.yaml" spawn,shutdown on_shutdown 'exec sleep 1000'
for how in pid1 sub; do
	$how -c "$WORK/late.yaml" -- sh -c 'exit 6' 2>"$WORK/late-$how.err"
	expect_eq "on_shutdown spawn, $how: the requested code (7)" 7 "$?"
	expect_eq "on_shutdown spawn, $how: allowed, stopped with the rest" \
"phases: on_shutdown: spawn = 0
phases: on_shutdown: request_shutdown = 0
phases: helper reaped (status 15)" \
		"$(grep -E '^modinit: info: phases: (on_shutdown|helper)' "$WORK/late-$how.err" |
		   sed 's/^modinit: info: //')"
done

# 5. A helper that outlives the command gets the stop signal once (from
# modinit, after on_shutdown), then SIGKILL when the grace period is over
# (long enough for its handler to run first even on a loaded machine).
fifo hs
cat >"$WORK/once.yaml" <<EOC
shutdown: {grace: 3s}
modules:
  - path: $P/phases.so
    call: spawn
    from: on_start
    helper: 'exec $TESTCHILD signals $WORK/hs 2'
EOC
bg_pid1 -c "$WORK/once.yaml" -- sleep 1000 2>"$WORK/once.err"
r=$(get_line)
expect_match "the helper is up" '^ready [0-9]+$' "$r"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "stop: the command's status (143)" 143 "$?"
expect_eq "the helper got SIGTERM once" 15 "$(get_line)"
expect_eq "... and nothing else" "" "$(get_line 1)"
expect_match "then SIGKILL (status 9)" '^modinit: info: phases: helper reaped \(status 9\)$' \
	"$(cat "$WORK/once.err")"
exec 3<&-

# 6. strace, outside a namespace: every signal modinit sends (signal 0
# from every hook, the stop signal, kill sweeps) goes to a process of its
# own tree; none to pid 1, to -1 or to 0 (its own group, the test's).
if [ -n "$MODINIT_WRAPPER" ]; then
	ok "# SKIP strace: under $MODINIT_WRAPPER the wrapper's own signals would be counted"
else
	# tree FILE: the pids strace followed (every line starts with one).
	outside() {
		awk '{ tree[$1] = 1 }
		     match($0, /(kill|tgkill|rt_sigqueueinfo)\(-?[0-9]+/) {
			s = substr($0, RSTART, RLENGTH); sub(/.*\(/, "", s); sent[NR] = s; line[NR] = $0 }
		     END { for (i in sent) { p = sent[i] < 0 ? -sent[i] : sent[i];
				if (p == 0 || p == 1 || !(p in tree)) print line[i] } }' "$1"
	}
	yaml "$WORK/st.yaml" signal,spawn all 'exec sleep 1000'
	timeout -k 5 "$LIMIT" strace -f -o "$WORK/st-run" -e trace=kill,tgkill,rt_sigqueueinfo \
		"$MODINIT_BIN" -c "$WORK/st.yaml" -- sh -c 'exit 0' 2>/dev/null
	timeout -k 5 "$LIMIT" strace -f -o "$WORK/st-check" -e trace=kill,tgkill,rt_sigqueueinfo \
		"$MODINIT_BIN" --check-config -c "$WORK/all.yaml" >/dev/null 2>&1
	timeout -k 5 "$LIMIT" strace -f -o "$WORK/st-exec" -e trace=kill,tgkill,rt_sigqueueinfo \
		"$MODINIT_BIN" --module-path "$MODINIT_MODDIR" -c "$WORK/exec.yaml" -- true 2>/dev/null
	bad=$(outside "$WORK/st-run"; outside "$WORK/st-check"; outside "$WORK/st-exec")
	sent=$(grep -cE '(kill|tgkill|rt_sigqueueinfo)\(' "$WORK/st-run")
	if [ -z "$bad" ] && [ "$sent" -gt 0 ]; then
		ok "strace: $sent signals sent, every one inside modinit's tree"
	else
		not_ok "strace: signals inside modinit's tree only"
		diag "sent: $sent" "outside:" "$bad"
	fi
fi
finish
