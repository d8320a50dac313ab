#!/bin/sh
# A one-minute look at what modinit does as PID 1 of a container: it adopts
# and reaps an orphan that would otherwise stay a zombie, then forwards the
# SIGTERM a runtime sends on `docker stop` and ends with the command's status.
#
# Run from the build directory after `make` (as root: it creates a PID
# namespace with unshare, as a container runtime would):
#     examples/demo.sh
# MODINIT may name another binary, e.g. an installed /usr/sbin/modinit.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
MODINIT=${MODINIT:-$top/modinit}
if [ ! -x "$MODINIT" ]; then
	echo "demo: $MODINIT not found; run ./configure && make first" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (unshare needs it to create a PID namespace)" >&2
	exit 1
fi

echo "demo: modinit -w runs a shell as PID 1's child in a new PID namespace"
set +e
unshare --pid --fork --kill-child --mount-proc "$MODINIT" -w -- sh -c '
	zombies() {
		n=0
		for s in /proc/[0-9]*/stat; do
			set -- $(sed "s/^.*) //" "$s" 2>/dev/null)
			[ "${1:-}" = Z ] && n=$((n + 1))
		done
		echo $n
	}
	echo "app:  I am PID $$; my parent, modinit, is PID $(cut -d" " -f4 /proc/$$/stat)"
	echo "app:  a helper forks a background sleep and exits: the sleep is"
	echo "app:  orphaned and re-parented to PID 1"
	sh -c "sleep 0.3 & exit 0"
	sleep 1
	echo "app:  zombies in the namespace now: $(zombies)"
	echo "app:  sending SIGTERM to PID 1, as docker stop would; I have no"
	echo "app:  handler, so the forwarded signal ends me"
	kill -TERM 1
	sleep 10
	echo "app:  still running: the signal was not forwarded" >&2
	exit 1
'
status=$?
set -e
echo "demo: modinit exited with status $status (143 = 128 + SIGTERM)"
[ "$status" -eq 143 ]
