#!/bin/sh
# The module file checked is the file loaded, and no other user can choose
# it: a symlink flipped by another user while modinit loads, a directory of
# another user anywhere above the module, a relative path: (which dlopen
# would search for), a FIFO or a directory where the module should be, and
# a missing /proc (needed to load the very file checked). The attacker is
# a numeric uid through setpriv; the planted module's constructor leaves a
# marker file if it ever runs.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to give files to another uid"
command -v setpriv >/dev/null || skip_all "setpriv is needed to act as another uid"
command -v perl >/dev/null || skip_all "perl is needed to flip a symlink fast"
so_only "trust checks of .so files and their directories"
plan 23
trusted_work
F=$MODINIT_FIXTURES
A=4201
MARK=$WORK/marker
export MODINIT_TEST_MARKER="$MARK"
NOT_OURS="owned by uid $A, not root or modinit's user"

# cfg NAME PATH: a config loading the module at PATH with path: (the
# option is rec-a's; the planted module takes none and never gets so far).
cfg() {
	printf 'modules:\n  - path: %s\n    file: %s\n' "$2" "$WORK/events" >"$WORK/$1.yaml"
}
# check_cfg NAME: status and output of --check-config on $WORK/NAME.yaml.
check_cfg() {
	out=$(sub --check-config -c "$WORK/$1.yaml" 2>&1)
	rc=$?
}

mkdir -m 0755 "$WORK/good" "$WORK/att"
cp "$F/rec-a.so" "$WORK/good/rec-a.so"
cp "$F/planted.so" "$WORK/att/planted.so"
chmod 0644 "$WORK/good/rec-a.so" "$WORK/att/planted.so"
chown -R "$A:$A" "$WORK/att"

# 1. The race: the attacker's symlink flips between a good module and the
# planted one as fast as it can, while modinit checks and loads it.
ln -s "$WORK/good/rec-a.so" "$WORK/att/mod.so"
chown -h "$A:$A" "$WORK/att/mod.so"
cfg race "$WORK/att/mod.so"
timeout -k 1 300 setpriv --reuid=$A --regid=$A --clear-groups perl -e '
	my ($dir, $good, $bad) = @ARGV;
	for (my $i = 0; ; $i++) {
		symlink($i & 1 ? $bad : $good, "$dir/mod.tmp") or die "symlink: $!";
		rename("$dir/mod.tmp", "$dir/mod.so") or die "rename: $!";
	}' "$WORK/att" "$WORK/good/rec-a.so" "$WORK/att/planted.so" &
FLIP=$!
runs=100
[ -n "$MODINIT_WRAPPER" ] && runs=10 # valgrind: each run takes a second
refused="78|modinit: error: $WORK/race.yaml:2:5: refusing module directory $WORK/att: $NOT_OURS"
i=0 n_refused=0 n_good=0 other=
while [ "$i" -lt "$runs" ] && [ ! -e "$MARK" ]; do
	check_cfg race
	case "$rc|$out" in
	"$refused") n_refused=$((n_refused + 1)) ;;
	"0|$WORK/race.yaml: OK, 1 module: rec-a") n_good=$((n_good + 1)) ;;
	*) other="$other$rc|$out
" ;;
	esac
	i=$((i + 1))
done
check "the symlink was flipping during every run" kill -0 "$FLIP"
kill "$FLIP"
wait "$FLIP" 2>/dev/null
check "the planted module's constructor never ran in $runs runs ($i done)" test ! -e "$MARK"
expect_eq "each run refused the attacker's directory with one line (or loaded the good module)" \
	"$runs||$runs" "$((n_refused + n_good))|$other|$i"
rm -f "$MARK"

# 2. A directory of another user anywhere above the module: it could
# rename the directories below it and put its own in their place.
mkdir -m 0755 "$WORK/gp" "$WORK/gp/p"
cp "$F/planted.so" "$WORK/gp/p/planted.so"
chmod 0644 "$WORK/gp/p/planted.so"
chown "$A:$A" "$WORK/gp"
cfg gp "$WORK/gp/p/planted.so"
check_cfg gp
expect_eq "a grandparent directory owned by another user is refused" \
	"78|modinit: error: $WORK/gp.yaml:2:5: refusing module directory $WORK/gp: $NOT_OURS" "$rc|$out"
out=$(sub --module-path "$WORK/gp/p" --describe-module planted 2>&1)
expect_eq "--describe-module: the same line" \
	"78|modinit: error: refusing module directory $WORK/gp: $NOT_OURS" "$?|$out"
out=$(sub --module-path "$WORK/gp/p" --list-modules 2>&1 >/dev/null)
expect_eq "--list-modules: one warning for the file" \
	"modinit: warning: refusing module directory $WORK/gp: $NOT_OURS" \
	"$(printf '%s\n' "$out" | grep -F "$WORK")"
out=$(cd "$WORK/gp/p" && sub --module-path . --describe-module planted 2>&1)
expect_eq "a relative --module-path: the directories above the current one are checked too" \
	"78|modinit: error: refusing module directory $WORK/gp: $NOT_OURS" "$?|$out"
check "and the planted module never ran" test ! -e "$MARK"
rm -f "$MARK"
chown 0:0 "$WORK/gp"
mkdir -m 1777 "$WORK/sticky"
mkdir -m 0755 "$WORK/sticky/d"
cp "$F/rec-a.so" "$WORK/sticky/d/rec-a.so"
cfg sticky "$WORK/sticky/d/rec-a.so"
check_cfg sticky
expect_eq "a sticky world-writable directory above it (like /tmp) is refused" \
	"78|modinit: error: $WORK/sticky.yaml:2:5: refusing module directory $WORK/sticky: writable by group or others (mode 1777)" \
	"$rc|$out"
out=$(cd "$WORK" && sub --module-path good --describe-module rec-a 2>&1 | sed -n 2p)
expect_eq "a relative --module-path in a trusted directory loads, named from /" \
	"file: $WORK/good/rec-a.so" "$out"

# 3. path: must be absolute. Before, ./x.so was checked but dlopen("x.so")
# searched LD_LIBRARY_PATH, here the attacker's world-writable module.
mkdir -m 0755 "$WORK/cwd" "$WORK/ld"
cp "$F/rec-a.so" "$WORK/cwd/x.so"
cp "$F/planted.so" "$WORK/ld/x.so"
chmod 0666 "$WORK/ld/x.so"
chown -R "$A:$A" "$WORK/ld"
cfg rel x.so
out=$(cd "$WORK/cwd" && LD_LIBRARY_PATH="$WORK/ld" sub --check-config -c "$WORK/rel.yaml" 2>&1)
expect_eq "path: x.so is a config error" \
	"78|modinit: error: $WORK/rel.yaml:2:11: modules: item 1: path: expected an absolute path, got \"x.so\"" \
	"$?|$out"
cfg rel2 ./x.so
out=$(cd "$WORK/cwd" && LD_LIBRARY_PATH="$WORK/ld" sub --check-config -c "$WORK/rel2.yaml" 2>&1)
expect_eq "path: ./x.so too" \
	"78|modinit: error: $WORK/rel2.yaml:2:11: modules: item 1: path: expected an absolute path, got \"./x.so\"" \
	"$?|$out"
check "and the module in LD_LIBRARY_PATH never ran" test ! -e "$MARK"
rm -f "$MARK"

# 4. Not a regular file: refused at once, without blocking in open().
mkfifo -m 0644 "$WORK/good/fifo.so"
mkdir -m 0755 "$WORK/good/dir.so"
cfg fifo "$WORK/good/fifo.so"
check_cfg fifo
expect_eq "a FIFO is refused without hanging" \
	"78|modinit: error: $WORK/fifo.yaml:2:5: refusing module $WORK/good/fifo.so: not a regular file (a FIFO)" "$rc|$out"
out=$(sub --module-path "$WORK/good" --describe-module fifo 2>&1)
expect_eq "found by name too" \
	"78|modinit: error: refusing module $WORK/good/fifo.so: not a regular file (a FIFO)" "$?|$out"
cfg dir "$WORK/good/dir.so"
check_cfg dir
expect_eq "a directory is refused" \
	"78|modinit: error: $WORK/dir.yaml:2:5: refusing module $WORK/good/dir.so: not a regular file (a directory)" "$rc|$out"

# 5. Symlinks are followed one component at a time, each target checked
# from its own directory: trusted ones load, others are refused by name.
mkdir -m 0755 "$WORK/links"
ln -s "$WORK/good/rec-a.so" "$WORK/links/abs.so"
ln -s ../good/rec-a.so "$WORK/links/rel.so"
ln -s "$WORK/good" "$WORK/links/dir"
ln -s "$WORK/att/planted.so" "$WORK/links/bad.so"
ln -s loop.so "$WORK/links/loop.so"
cfg abs "$WORK/links/abs.so"
check_cfg abs
expect_eq "an absolute symlink to a trusted module loads" "0|$WORK/abs.yaml: OK, 1 module: rec-a" "$rc|$out"
cfg srel "$WORK/links/rel.so"
check_cfg srel
expect_eq "a relative symlink with .. loads" "0|$WORK/srel.yaml: OK, 1 module: rec-a" "$rc|$out"
cfg sdir "$WORK/links/dir/rec-a.so"
check_cfg sdir
expect_eq "a symlinked directory on the way loads" "0|$WORK/sdir.yaml: OK, 1 module: rec-a" "$rc|$out"
cfg bad "$WORK/links/bad.so"
check_cfg bad
expect_eq "a symlink into another user's directory: the directory is named" \
	"78|modinit: error: $WORK/bad.yaml:2:5: refusing module directory $WORK/att: $NOT_OURS" "$rc|$out"
cfg loop "$WORK/links/loop.so"
check_cfg loop
expect_eq "a symlink loop ends" \
	"78|modinit: error: $WORK/loop.yaml:2:5: $WORK/links/loop.so: Too many levels of symbolic links" "$rc|$out"

# 6. Without /proc the loader cannot hand dlopen the file it checked; it
# refuses rather than fall back to the path.
cfg noproc "$WORK/good/rec-a.so"
if ldd "$MODINIT_BIN" 2>/dev/null | grep -q libasan; then
	ok "no /proc # SKIP AddressSanitizer's own runtime fails without /proc"
else
	out=$(timeout -k 5 "$LIMIT" unshare --mount --propagation private sh -c \
		'umount -l /proc && exec "$0" --check-config -c "$1"' "$MODINIT_BIN" "$WORK/noproc.yaml" 2>&1)
	expect_eq "no /proc: refused with a clear line" \
		"78|modinit: error: $WORK/noproc.yaml:2:5: refusing module $WORK/good/rec-a.so: cannot reopen it through /proc/self/fd (is /proc mounted?)" \
		"$?|$out"
fi
check "no planted code ran since" test ! -e "$MARK"
finish
