#!/bin/sh
# Replays every input of the fuzz corpus (and every config fixture) through the configuration loader:
# one TAP line per file, failing if the loader crashes (or, in a sanitizer
# build, reports an error) on it.
set -u
corpus="$MODINIT_SRCDIR/tests/fuzz/corpus $MODINIT_SRCDIR/tests/fixtures/config"
replay="$MODINIT_BUILDDIR/tests/fuzz/replay_config"
n=0
for f in $(for d in $corpus; do ls "$d"/*.yaml; done); do
	[ -f "$f" ] && n=$((n + 1))
done
echo "1..$n"
i=0
failed=0
for f in $(for d in $corpus; do ls "$d"/*.yaml; done); do
	[ -f "$f" ] || continue
	i=$((i + 1))
	if timeout 20 $MODINIT_WRAPPER "$replay" "$f"; then
		echo "ok $i - $(basename "$f")"
	else
		echo "not ok $i - $(basename "$f") (status $?)"
		failed=1
	fi
done
exit $failed
