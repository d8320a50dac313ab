# Shared by the personality tests (t60, t61), sourced after lib.sh.

# compat_link NAME: a symlink $WORK/NAME to the binary, for modinit to be
# started under that name. Call it in the test's own shell, not in $(...):
# it exports MODINIT_CONFIG there. The personalities know no
# --module-path: the modules of the build come from a config that only
# says where they are (MODINIT_CONFIG, which every personality reads).
compat_link() {
	ln -s "$MODINIT_BIN" "$WORK/$1" || return 1
	if [ ! -e "$WORK/modpath.yaml" ]; then
		printf 'module_path: ["%s"]\n' "$MODINIT_MODDIR" >"$WORK/modpath.yaml"
	fi
	MODINIT_CONFIG=$WORK/modpath.yaml
	export MODINIT_CONFIG
}

# state_of PID: its state letter (S, R, T, Z), empty once gone.
state_of() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }

# wait_state PID STATES: until PID's state is one of STATES (10 s).
wait_state() {
	_n=1000
	while [ "$_n" -gt 0 ]; do
		case "$(state_of "$1")" in [$2]) return 0 ;; esac
		sleep 0.01
		_n=$((_n - 1))
	done
	return 1
}

# term_group_case START ARGS...: START (a function setting BG and HOSTPID)
# runs modinit with ARGS on a shell that leaves a background sleep in its
# own process group; SIGTERM to modinit. Sets rc (modinit's status) and
# left (the sleep's pid) for the caller to judge.
term_group_case() {
	_start=$1; shift
	rm -f "$WORK/bgpid"
	"$_start" "$@" sh -c 'sleep 300 & echo $! >"$1"; wait' sh "$WORK/bgpid"
	wait_file "$WORK/bgpid"
	left=$(cat "$WORK/bgpid")
	kill -TERM "$HOSTPID"
	wait "$BG"
	rc=$?
}
