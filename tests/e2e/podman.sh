#!/bin/sh
# modinit as the init podman injects: `podman run --init --init-path FILE`
# bind-mounts FILE at /run/podman-init and runs it as the container's PID 1
# with `-- COMMAND...`. The image is made here from busybox alone (a rootfs
# directory with busybox and its applet links, tarred and `podman import`ed:
# no registry, no network), so everything modinit needs, the bundled modules
# too, comes from the one static file.
#
# podman gets a store of its own below $WORK (root, runroot, tmpdir, network
# and volume directories), so nothing here touches the system's containers or
# images; every container and the image are removed at the end. The options
# are those that work as root without systemd on shared cgroups: runc (crun
# is refused there), vfs, cgroupfs, file events, no network, and rlimits the
# kernel accepts (podman's defaults are refused). Two paths outside $WORK
# remain, both by design: runc keeps its per-container state in /run/runc
# (removed with each container), and podman creates netavark's run directory
# /run/containers/networks, shared by every podman instance on the host.
# Skipped, saying so, without podman or a static busybox.
. "$MODINIT_SRCDIR/tests/integration/lib.sh"

command -v podman >/dev/null || skip_all "podman not installed (apt-get install podman)"
command -v runc >/dev/null || skip_all "runc not installed (apt-get install runc)"
[ "$(id -u)" = 0 ] || skip_all "podman runs the containers as root here"
BUSYBOX=
for _b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$_b" ] && ! ldd "$_b" >/dev/null 2>&1; then BUSYBOX=$_b; break; fi
done
[ -n "$BUSYBOX" ] || skip_all "no static busybox (apt-get install busybox-static)"
# The static modinit: the check program modinit-static, or with
# --enable-static-binary the staged modinit itself. configure says why when
# it builds neither (no libc.a or libyaml.a, a sanitizer build).
STATIC=$MODINIT_BUILDDIR/modinit-static
if [ ! -x "$STATIC" ]; then
	STATIC=$MODINIT_BIN
	if ldd "$STATIC" >/dev/null 2>&1; then
		skip_all "no static modinit in this build: $(sed -n 's/^STATIC_SKIP_REASON = //p' \
			"$MODINIT_BUILDDIR/Makefile")"
	fi
fi
plan 26

IMG=localhost/modinit-e2e-busybox:$$
ctr=
PM_OPTS="--root $WORK/root --runroot $WORK/runroot --tmpdir $WORK/libpod
	--network-config-dir $WORK/net --volumepath $WORK/volumes
	--runtime runc --storage-driver vfs --cgroup-manager cgroupfs
	--events-backend file"
pm() { TMPDIR=$WORK/tmp timeout -k 5 60 podman $PM_OPTS "$@"; }
# podman import records the layer's digests in containers/image's cache,
# which for root is /var/lib/containers/cache whatever --root says: the
# import runs in a mount namespace of its own, with an empty /var/lib.
pm_import() {
	TMPDIR=$WORK/tmp timeout -k 5 60 unshare --mount --propagation private \
		sh -c 'mount -t tmpfs -o mode=0755 tmpfs /var/lib && exec podman "$@"' \
		sh $PM_OPTS import "$@"
}
# Remove what the test made; a mount left below $WORK (a container's shm)
# is unmounted first so that rm -rf never crosses into it.
_podman_cleanup() {
	for _c in $ctr; do pm rm -f -t 0 "$_c" >/dev/null 2>&1; done
	pm rmi -f "$IMG" >/dev/null 2>&1
	grep -F " $WORK/" /proc/self/mountinfo | cut -d' ' -f5 | sort -r |
		while read -r _m; do umount -l "$_m"; done
	_cleanup
}
trap _podman_cleanup EXIT
mkdir -p "$WORK/tmp" "$WORK/shared" "$WORK/conf"

# The podman run options of every container here.
RUN="--pull never --network none --log-driver k8s-file
	--ulimit nofile=4096:4096 --ulimit nproc=4096:4096
	--init --init-path $STATIC -v $WORK/shared:/work"

# The image: busybox, its applet links, and the directories a container's
# mounts need. Nothing else.
rootfs=$WORK/rootfs
mkdir -p "$rootfs/bin" "$rootfs/dev" "$rootfs/etc" "$rootfs/proc" \
	"$rootfs/run" "$rootfs/sys" "$rootfs/tmp" "$rootfs/work"
cp "$BUSYBOX" "$rootfs/bin/busybox"
for _a in $("$BUSYBOX" --list); do
	[ "$_a" = busybox ] || ln -s busybox "$rootfs/bin/$_a"
done
# The image's users, for the user and services modules: names come from
# these files, read by modinit itself (a static binary has no NSS).
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nextra:x:1001:app\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$WORK/rootfs.tar" . &&
	pm_import --change 'ENV PATH=/bin' "$WORK/rootfs.tar" "$IMG" >/dev/null 2>"$WORK/err"
if [ "$?" -ne 0 ]; then
	not_ok "podman import of the busybox rootfs"
	diag "$(cat "$WORK/err")"
	finish
fi
ok "podman import of a rootfs holding only busybox"

# The command's exit status, and 128+N for a signal, are the container's.
pm run --rm $RUN "$IMG" sh -c 'exit 7' </dev/null
expect_eq "the command's exit status (7) is the container's" 7 "$?"
pm run --rm $RUN "$IMG" sh -c 'kill -KILL $$' </dev/null
expect_eq "a command killed by SIGKILL: 137" 137 "$?"
out=$(pm run --rm $RUN "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline' </dev/null)
expect_eq "PID 1 is the init podman mounted, running the command" \
	"/run/podman-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline " "$out"

# An orphan: its parent exits, it falls to PID 1, says so and exits. The
# container's command waits until the orphan is gone from /proc (bounded:
# modinit reaps it on SIGCHLD, a moment later; a zombie never unreaped keeps
# its entry), then counts the zombies ps shows.
cat >"$WORK/shared/orphan-child.sh" <<'EOS'
read -r go </tmp/go
set -- $(sed 's/^.*) //' /proc/$$/stat)
echo "$$ ppid=$2" >/tmp/done
EOS
cat >"$WORK/shared/orphan.sh" <<'EOS'
mkfifo /tmp/go /tmp/done
sh -c 'sh /work/orphan-child.sh & exit 0'
echo go >/tmp/go
read -r pid ppid </tmp/done
echo "$ppid"
n=0
while [ -e "/proc/$pid" ] && [ $n -lt 250 ]; do sleep 0.02; n=$((n + 1)); done
echo "zombies=$(ps -o stat | grep -c '^Z')"
ps -o pid,ppid,stat,comm
EOS
out=$(pm run --rm $RUN "$IMG" sh /work/orphan.sh </dev/null)
expect_eq "the orphan's parent was PID 1" ppid=1 "$(echo "$out" | sed -n 1p)"
expect_eq "no zombie in ps once the orphan has exited" zombies=0 "$(echo "$out" | sed -n 2p)"
expect_nomatch "ps inside the container lists no zombie" '^ *[0-9]+ +[0-9]+ +Z' "$out"

# podman stop: SIGTERM to PID 1, forwarded to a command without handlers,
# ends the container at once with 143, long before podman's 10 s SIGKILL.
mkfifo "$WORK/shared/ready"
exec 3<>"$WORK/shared/ready"
ct=$(pm run -d $RUN "$IMG" sh -c 'echo up >/work/ready; exec sleep 1000' </dev/null)
ctr="$ctr $ct"
expect_eq "the detached container started its command" up "$(get_line 30)"
t0=$(date +%s%N)
pm stop -t 10 "$ct" >/dev/null
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect_eq "podman stop: the container's exit status is 143" 143 \
	"$(pm inspect --format '{{.State.ExitCode}}' "$ct")"
check "podman stop took ${ms} ms, well below its 10 s timeout" test "$ms" -lt 4000
pm rm "$ct" >/dev/null

# A configuration bind-mounted and named by MODINIT_CONFIG, using bundled
# modules: nothing in the image but busybox.
cat >"$WORK/conf/init.yaml" <<'EOY'
mode: wait-all-children
modules:
  - name: exit-code
    map: {7: 0}
  - name: signal-remap
    map: {SIGTERM: SIGUSR1}
EOY
CONF="-v $WORK/conf/init.yaml:/etc/modinit.yaml:ro -e MODINIT_CONFIG=/etc/modinit.yaml"
pm run --rm $RUN $CONF "$IMG" sh -c \
	'(sleep 0.3; echo finished >/work/marker) & exit 7' </dev/null 2>"$WORK/err"
expect_eq "exit-code maps the command's 7 to 0" 0 "$?"
expect_eq "after wait-all-children waited for the background job" finished \
	"$(cat "$WORK/shared/marker" 2>/dev/null)"
expect_eq "and says so, on stderr, alone" "modinit: info: exit-code: exit status 7 becomes 0" \
	"$(cat "$WORK/err")"

ct=$(pm run -d $RUN $CONF "$IMG" sh -c \
	'trap "kill \$!; echo usr1 >/work/ready; exit 5" USR1; echo up >/work/ready; sleep 1000 & wait' </dev/null)
ctr="$ctr $ct"
expect_eq "the remapping container started its command" up "$(get_line 30)"
pm kill --signal TERM "$ct" >/dev/null
expect_eq "signal-remap: podman kill --signal TERM reaches the app as SIGUSR1" usr1 "$(get_line 30)"
expect_eq "and the container ends as the app chose (5)" 5 "$(pm wait "$ct")"
pm rm "$ct" >/dev/null

# podman healthcheck run executes the --health-cmd in the container:
# /run/podman-init --health reads the status the healthcheck module
# publishes. The probe says on the fifo what it found, so the test knows
# which result the next probe's start follows (the status is published
# when a probe ends, before the next one starts).
cat >"$WORK/conf/init.yaml" <<'EOY'
modules:
  - name: healthcheck
    checks:
      - name: flag
        exec: [sh, -c, "if test -e /work/healthy; then echo ok >/work/ready; else echo fail >/work/ready; exit 1; fi"]
        interval: 200ms
        timeout: 5s
        retries: 1
EOY
# next_probe_after WORD: read probe lines until one says WORD, then the next.
next_probe_after() {
	_n=0
	while [ "$_n" -lt 200 ]; do
		_l=$(get_line 30) || return 1
		[ "$_l" = "$1" ] && { get_line 30 >/dev/null; return; }
		_n=$((_n + 1))
	done
	return 1
}
: >"$WORK/shared/healthy"
ct=$(pm run -d $RUN $CONF --health-cmd '/run/podman-init --health' \
	--health-interval disable --health-retries 1 "$IMG" sleep 1000 </dev/null)
ctr="$ctr $ct"
check "a probe succeeded" next_probe_after ok
out=$(pm healthcheck run "$ct")
expect_eq "podman healthcheck run: healthy (status 0, nothing printed)" "|0" "$out|$?"
expect_eq "podman inspect: healthy" healthy "$(pm inspect --format '{{.State.Health.Status}}' "$ct")"
expect_match "podman's health log holds what --health printed: the module's detail" \
	'^0 \{"status": "healthy", "ready": true, .*"name": "flag"' \
	"$(pm inspect --format '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}' "$ct" | tr '\n' ' ')"
rm "$WORK/shared/healthy"
check "a probe failed" next_probe_after fail
out=$(pm healthcheck run "$ct")
expect_eq "podman healthcheck run: unhealthy (status 1)" "unhealthy|1" "$out|$?"
expect_eq "podman inspect: unhealthy" unhealthy "$(pm inspect --format '{{.State.Health.Status}}' "$ct")"
pm rm -f -t 0 "$ct" >/dev/null
exec 3<&-

# user and services, built in: the command and a sidecar run as the image's
# user app (its groups from the image's /etc/group), modinit as root.
chmod 1777 "$WORK/shared"
cat >"$WORK/conf/user.yaml" <<'EOY'
modules:
  - name: user
    user: app
  - name: services
    services:
      - name: side
        command: [sh, -c, 'echo "$(id -u) $(id -G)" >/work/side; exec sleep 1000']
        user: app
EOY
out=$(pm run --rm $RUN -v "$WORK/conf/user.yaml:/etc/modinit.yaml:ro" -e MODINIT_CONFIG=/etc/modinit.yaml \
	"$IMG" sh -c 'n=0; until [ -s /work/side ] || [ "$n" -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
	echo "main=$(id -u) $(id -G) $HOME $USER side=$(cat /work/side) init=$(awk "/^Uid:/ {print \$2}" /proc/1/status)"' \
	</dev/null 2>"$WORK/err")
expect_eq "user and services: the container ends with the command's 0" 0 "$?"
expect_eq "the command and the sidecar run as app with its groups, PID 1 as root" \
	"main=1000 1000 1001 /home/app app side=1000 1000 1001 init=0" "$out"
expect_eq "and nothing was logged above info" "" "$(grep -v '^modinit: info:' "$WORK/err")"
finish
