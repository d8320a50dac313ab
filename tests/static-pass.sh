#!/bin/sh
# The second pass of make check: one integration test run against the
# static modinit (the check program modinit-static).
#
#   static-pass.sh SHELL tests/integration/NAME-static.run
#
# The .run file is only the test's name in this pass (make makes it); the
# test is tests/integration/NAME.sh, run with MODINIT_BIN pointing to the
# static binary and MODINIT_STATIC=1, under which the cases that need a
# .so module skip with their reason (need_dlopen in lib.sh).
set -u
sh=$1 run=$2
if [ -n "${MODINIT_STATIC_SKIP:-}" ]; then
	echo "1..0 # SKIP modinit-static not built: $MODINIT_STATIC_SKIP"
	exit 0
fi
name=$(basename "$run" .run)
MODINIT_BIN=$MODINIT_BUILDDIR/modinit-static
MODINIT_STATIC=1
export MODINIT_BIN MODINIT_STATIC
exec "$sh" "$MODINIT_SRCDIR/tests/integration/${name%-static}.sh"
