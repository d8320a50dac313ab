#!/bin/sh
# The seed article's workload: a program that keeps starting detached
# background jobs (each sleep is orphaned when its shell exits and falls to
# PID 1 to reap). Then it waits, bounded, until no sleep is left and no
# zombie is left, and prints the zombies it counted in /proc: "zombies=N".
# Run inside a PID namespace with its own /proc.  Argument: how many jobs.
i=0
while [ $i -lt "${1:-30}" ]; do
	sh -c 'sleep 0.1 & exit 0'
	i=$((i + 1))
done
n=0
while pgrep -x sleep >/dev/null && [ $n -lt 500 ]; do sleep 0.02; n=$((n + 1)); done
z=-1
n=0
while [ $n -lt 500 ]; do
	z=0
	for s in /proc/[0-9]*/stat; do
		set -- $(sed 's/^.*) //' "$s" 2>/dev/null)
		[ "${1:-}" = Z ] && z=$((z + 1))
	done
	[ $z -eq 0 ] && break
	sleep 0.02
	n=$((n + 1))
done
echo "zombies=$z"
