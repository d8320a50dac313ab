#!/bin/sh
# Regenerate the build system (configure, Makefile.in, aux files).
exec autoreconf -fi "$(dirname "$0")"
