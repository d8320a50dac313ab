#!/bin/sh
# Reaping at volume: 10,000 orphans created as fast as fork allows are all
# reaped by PID 1; not one zombie is left.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
plan 2

out=$(LIMIT=120 pid1 -- "$TESTCHILD" orphans 10000 2>/dev/null)
expect_eq "the workload ends well (it checks the zombies itself)" 0 "$?"
expect_eq "no zombie left in the namespace after 10,000 orphans" "zombies=0" "$out"
finish
