#!/bin/sh
# The out-of-tree example module (examples/hello-module) builds against the
# staged install through modinit.pc, exports one symbol, is described from
# its schema, and receives the lifecycle events in order when loaded with
# `path:` by modinit running as PID 1.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
command -v pkg-config >/dev/null || skip_all "pkg-config not installed"
so_only "the example module is a .so"
plan 7
trusted_work # modules are loaded from $WORK: not below a sticky /tmp

stage=${MODINIT_MODDIR%"$MODINIT_PKGLIBDIR"}
pcdir=$stage${MODINIT_PKGLIBDIR%/modinit}/pkgconfig

mkdir "$WORK/hello"
cp "$MODINIT_SRCDIR/examples/hello-module/hello.c" \
   "$MODINIT_SRCDIR/examples/hello-module/Makefile" "$WORK/hello/"
chmod 0644 "$WORK/hello/"*
check "the example builds with pkg-config --cflags modinit" \
	env PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage" \
	make -s -C "$WORK/hello"

moddir=$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=moduledir modinit)
expect_eq "modinit.pc names the module directory" "$MODINIT_PKGLIBDIR" "$moddir"

syms=$(nm -D --defined-only "$WORK/hello/hello.so" | awk '{print $3}' | sort | tr '\n' ' ')
expect_eq "the module exports only its descriptor" "modinit_module " "$syms"

desc=$("$MODINIT_BIN" --module-path "$WORK/hello" --describe-module hello 2>&1)
expect_match "--describe-module shows the required option from the schema" \
	'^  file \(string, required\)$' "$desc"

cat >"$WORK/init.yaml" <<EOC
modules:
  - path: $WORK/hello/hello.so
    file: $WORK/events
    greeting: hi
EOC
out=$(pid1 -c "$WORK/init.yaml" -- sh -c \
	'trap "exit 3" USR1; kill -USR1 1; while :; do sleep 0.05; done' 2>&1)
rc=$?
expect_eq "modinit ends with the command's status" 3 "$rc"
expect_match "the module logs through the host, prefixed with its name" \
	"^modinit: info: hello: hi, recording events to $WORK/events\$" "$out"

expected="init
start
spawn pid=2 main_pid=2
signal User defined signal 1
main-exit code=3
shutdown reason=1
exit code=3
fini hi"
expect_eq "the events arrive in lifecycle order" "$expected" "$(cat "$WORK/events" 2>&1)"
finish
