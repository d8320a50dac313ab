#!/bin/sh
# user, as PID 1 and as a subreaper: the command runs as a user of the
# image's /etc/passwd (a test user made here and removed again), with its
# uid, gid and supplementary groups from the files, no_new_privs, and HOME,
# USER and LOGNAME; it cannot take uid 0 back, while modinit itself, its
# parent, stays root. An unknown user is a config error (78) at the option,
# and nothing starts. A drop the kernel refuses (modinit itself not root)
# ends the command with 126 and one line naming the call. In the static
# pass the module is the built-in one.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"
need_root_ns
for _t in useradd userdel groupadd groupdel setpriv id; do
	command -v "$_t" >/dev/null 2>&1 || skip_all "needs $_t to make the test user"
done
plan 17
MP="--module-path $MODINIT_MODDIR"

# A user and a group of this run's own (the pid in the names: the static
# pass may run at the same time); useradd retries while another holds the
# lock on /etc/passwd.
U=mi70u$$
G=mi70g$$
t70_cleanup() {
	timeout 10 userdel "$U" >/dev/null 2>&1
	timeout 10 groupdel "$G" >/dev/null 2>&1
	_cleanup
}
trap t70_cleanup EXIT
t70_try() {
	_n=0
	until timeout 10 "$@" >/dev/null 2>&1; do
		_n=$((_n + 1))
		[ "$_n" -lt 20 ] || return 1
		sleep 0.1
	done
}
t70_try groupadd "$G" || skip_all "groupadd $G failed"
t70_try useradd -M -N -g users -G "$G" -d "/home/$U" -s /bin/sh "$U" || skip_all "useradd $U failed"
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")
# The kernel lists the groups sorted, each once (blanks at the end of
# the status lines are not compared).
GROUPS_U=$(id -G "$U" | tr ' ' '\n' | sort -n | uniq | tr '\n' ' ' | sed 's/ *$//')
# A subreaper says that it is one: the only line expected from modinit.
SUBLINE="modinit: info: not PID 1: registered as a child subreaper"
quiet() { grep -vxF "$SUBLINE" "$1"; }
st='grep -E "^(Uid|Gid|Groups|NoNewPrivs):" /proc/self/status | sed "s/[[:space:]]*\$//"'

# What the command is and sees, and what its parent, modinit, is.
probe="$st"'
echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME"
"$0" setuid 0
grep "^Uid:" /proc/$PPID/status
exit 3'

printf 'modules:\n  - name: user\n    user: %s\n' "$U" >"$WORK/u.yaml"
want="Uid:	$UID_U	$UID_U	$UID_U	$UID_U
Gid:	$GID_U	$GID_U	$GID_U	$GID_U
Groups:	$GROUPS_U
NoNewPrivs:	1
HOME=/home/$U USER=$U LOGNAME=$U
setuid: Operation not permitted
Uid:	0	0	0	0"

for how in pid1 sub; do
	out=$($how $MP -c "$WORK/u.yaml" -- sh -c "$probe" "$TESTCHILD" 2>"$WORK/err")
	expect_eq "$how: the command's status" 3 "$?"
	expect_eq "$how: ids, groups, no_new_privs, login variables; no way back; modinit is root" \
		"$want" "$out"
	expect_eq "$how: nothing on stderr" "" "$(quiet "$WORK/err")"
done

# A uid, a group and groups given: exactly those, no_new_privs off.
printf 'modules:\n  - name: user\n    user: %s\n    group: %s\n    groups: [daemon, 4242]\n    no_new_privs: false\n' \
	"$UID_U" "$G" >"$WORK/g.yaml"
GID_G=$(getent group "$G" | cut -d: -f3)
GID_D=$(getent group daemon | cut -d: -f3)
GL=$(printf '%s\n' "$GID_D" 4242 | sort -n | tr '\n' ' ' | sed 's/ *$//')
out=$(pid1 $MP -c "$WORK/g.yaml" -- sh -c "$st"'; echo "USER=$USER"' 2>"$WORK/err")
expect_eq "a uid, group and groups: the status" 0 "$?"
expect_eq "a uid, group and groups: exactly those ids" "Uid:	$UID_U	$UID_U	$UID_U	$UID_U
Gid:	$GID_G	$GID_G	$GID_G	$GID_G
Groups:	$GL
NoNewPrivs:	0
USER=$U" "$out"

# groups: [] is no supplementary group at all.
printf 'modules:\n  - name: user\n    user: %s\n    groups: []\n' "$U" >"$WORK/n.yaml"
out=$(sub $MP -c "$WORK/n.yaml" -- sh -c "$st" 2>"$WORK/err" | grep "^Groups")
expect_eq "groups: []: none" "Groups:|" "$out|$(quiet "$WORK/err")"

# apply_to: helpers leaves the main command as modinit started it.
printf 'modules:\n  - name: user\n    user: %s\n    apply_to: helpers\n' "$U" >"$WORK/h.yaml"
out=$(pid1 $MP -c "$WORK/h.yaml" -- sh -c 'grep "^Uid:" /proc/self/status; echo "USER=${USER-unset}"' 2>&1)
expect_eq "apply_to: helpers: the command stays root, its environment as it was" \
	"0|Uid:	0	0	0	0
USER=${USER-unset}" "$?|$out"

# Unknown user or group: 78 at the option, the command never starts.
printf 'modules:\n  - name: user\n    user: nosuch%s\n' "$$" >"$WORK/bad.yaml"
out=$(pid1 $MP -c "$WORK/bad.yaml" -- touch "$WORK/started" 2>&1)
expect_eq "an unknown user: 78 and the line" \
	"78|modinit: error: $WORK/bad.yaml:3:11: user: user: unknown user \"nosuch$$\" (not in /etc/passwd)" \
	"$?|$out"
check "an unknown user: nothing started" test ! -e "$WORK/started"
printf 'modules:\n  - name: user\n    user: %s\n    groups: [%s, nosuch%s]\n' "$U" "$G" "$$" >"$WORK/badg.yaml"
out=$(sub $MP -c "$WORK/badg.yaml" -- touch "$WORK/started" 2>&1)
expect_eq "an unknown group: 78 and the line at the item" \
	"78|modinit: error: $WORK/badg.yaml:4:$((16 + ${#G})): user: groups: item 2: unknown group \"nosuch$$\" (not in /etc/group)" \
	"$?|$out"
check "an unknown group: nothing started" test ! -e "$WORK/started"
out=$("$MODINIT_BIN" $MP --check-config -c "$WORK/bad.yaml" 2>&1)
expect_eq "--check-config finds it too" \
	"78|modinit: error: $WORK/bad.yaml:3:11: user: user: unknown user \"nosuch$$\" (not in /etc/passwd)" \
	"$?|$out"

# modinit not root (a subreaper started as nobody): the kernel refuses the
# drop; the command ends with 126 and the call's line.
chmod 0755 "$WORK"
chmod 0644 "$WORK/u.yaml"
out=$(timeout -k 5 "$LIMIT" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$MODINIT_BIN" $MP -c "$WORK/u.yaml" -- touch "$WORK/started" 2>"$WORK/err")
expect_eq "modinit without the right to drop: 126 and the call" \
	"126|modinit: error: setgroups: Operation not permitted" "$?|$(quiet "$WORK/err")"
check "the command did not run" test ! -e "$WORK/started"
finish
