#!/bin/sh
# healthcheck's shared helpers stay inside its .so, and the status document
# it publishes into (STATE_DIR/status, the one file modinit writes there) is
# written once per change, not after every probe: each write is a new file
# (a new inode) exchanged with the old one.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v nm >/dev/null 2>&1 || skip_all "nm (binutils) is needed"
plan 6
MP="--module-path $MODINIT_MODDIR"
SO=$MODINIT_MODDIR/healthcheck.so
ST=$WORK/st

# AddressSanitizer adds an ODR indicator (__odr_asan.NAME) for each exported
# global: not a symbol of the module's own.
expect_eq "healthcheck.so exports modinit_module and nothing else" "modinit_module" \
	"$(nm -D --defined-only "$SO" | awk '{print $3}' | grep -v '^__odr_asan\.')"
# Imports: libc's (versioned), the weak hooks every .so names, and a
# sanitizer's runtime when the build has one; never a helper of modules/lib.
# With AddressSanitizer, libc's functions are bound to its interceptors and
# carry no libc version: there the check is that no helper is imported.
if ldd "$MODINIT_BIN" 2>/dev/null | grep -q libasan; then
	expect_eq "it imports no helper of modules/lib (AddressSanitizer build)" "" \
		"$(nm -D --undefined-only "$SO" | awk '{print $2}' | grep -E '^ml_')"
else
	expect_eq "it imports only from libc" "" \
		"$(nm -D --undefined-only "$SO" | awk '$1 != "w" {print $2}' |
			grep -Ev '@GLIBC_|^__(asan|ubsan|sanitizer|lsan)_')"
fi

runs() { wc -l <"$WORK/runs" 2>/dev/null || echo 0; }
inodes() { stat -c %i "$ST/status"; }
# wait_runs N: until the probe has started N times (10 s at most).
wait_runs() {
	_w=1000
	while [ "$(runs)" -lt "$1" ] && [ "$_w" -gt 0 ]; do sleep 0.01; _w=$((_w - 1)); done
	[ "$(runs)" -ge "$1" ]
}

touch "$WORK/up"
cat >"$WORK/hc.yaml" <<EOC
modules:
  - name: healthcheck
    checks:
      - name: ex
        exec: [sh, -c, 'echo run >>$WORK/runs; test -e $WORK/up']
        interval: 100ms
        retries: 1
EOC
bg_pid1 $MP --state-dir "$ST" -c "$WORK/hc.yaml" -- sleep 1000 2>"$WORK/err"
wait_grep "$ST/status" "$(health_re healthy true)"
before=$(inodes)
n=$(runs)
# Two probes have ended once the third after them has started (one at a time).
wait_runs $((n + 3))
expect_eq "three more healthy probes do not rewrite it" "$before" "$(inodes)"
rm "$WORK/up"
check "a failing probe is written" wait_grep "$ST/status" "$(health_re unhealthy false)"
expect_eq "... into a new file, the only one in the directory" "new|status" \
	"$([ "$before" != "$(inodes)" ] && echo new)|$(ls -A "$ST")"
kill -TERM "$HOSTPID"
wait "$BG"
expect_eq "the end is written too, and modinit ends with the command's status" \
	"143|stopped|unhealthy false" "$?|$(health_of "$ST")"
finish
