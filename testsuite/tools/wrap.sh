# shellcheck shell=bash
# Sourced by the tool tests: runs every invocation of our binary under a
# wrapper when KMODLITE_TEST_WRAPPER is set (tools/valgrind-tests sets it to
# valgrind's memcheck).
#
# KMODLITE_TEST_WRAPPER: a command prefix, as shell words (quotes work), e.g.
#   KMODLITE_TEST_WRAPPER="valgrind --tool=memcheck -q" meson test -C build
# Empty or unset: the tests run the binary directly, as always.
#
# wrapped_dir SRC_DIR DIR
#   prints the directory the tests take kmod and the six tool names from.
#   Without a wrapper that is SRC_DIR itself. With one it is DIR (created),
#   holding a script kmod and lsmod modprobe rmmod insmod modinfo depmod as
#   symlinks to it: called by NAME (its own name, or that of any symlink to
#   it), the script runs "WRAPPER SRC_DIR/NAME ARGS...", so the multicall
#   binary still dispatches on argv[0]'s base name (argv[0] itself is then
#   SRC_DIR/NAME, not the path the test called).
#
# wrap_slowdown
#   a factor for the few time limits that a run of ours must meet in a test
#   (a wait that must outlast the tool's start, a loop that must end in 5 s):
#   1 without a wrapper; with one KMODLITE_TEST_SLOWDOWN, default 10.
# shellcheck disable=SC2034 # (used by the scripts that source this file)
wrap_slowdown=1
if [ -n "${KMODLITE_TEST_WRAPPER:-}" ]; then
	wrap_slowdown=${KMODLITE_TEST_SLOWDOWN:-10}
fi

wrapped_dir() {
	local src=$1 dir=$2 t
	if [ -z "${KMODLITE_TEST_WRAPPER:-}" ]; then
		printf '%s\n' "$src"
		return 0
	fi
	src=$(cd "$src" && pwd)
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # (the $ are the script's own)
	{
		echo '#!/bin/bash'
		echo '# made by testsuite/tools/wrap.sh'
		echo 'n=${0##*/}'
		printf 'src=%q\n' "$src"
		echo '[ -e "$src/$n" ] || { echo "$0: no $src/$n to run" >&2; exit 127; }'
		printf 'exec %s "$src/$n" "$@"\n' "$KMODLITE_TEST_WRAPPER"
	} >"$dir/kmod"
	chmod 755 "$dir/kmod"
	for t in lsmod modprobe rmmod insmod modinfo depmod; do
		ln -sfn kmod "$dir/$t"
	done
	printf '%s\n' "$dir"
}
