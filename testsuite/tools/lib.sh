# shellcheck shell=bash
# Sourced by the tool tests that run our binary under the fake kernel
# (forbid.sh, params-why.sh): what each begins with.
#
# tool_test_begin BUILD_DIR
#   C locale; build (BUILD_DIR made absolute), mkfixture, fk (the fake
#   kernel's LD_PRELOAD library: the test stops, failing, without it); work,
#   a temporary directory made the current one and removed at exit (kept and
#   named when KEEP is set); src, where kmod and the tool names are (through
#   $KMODLITE_TEST_WRAPPER if set: wrap.sh); the fake root's layout: K, base
#   (the tree as made), R (a fresh copy for each case), MD (base's module
#   directory), CONF (base's modprobe.d); the counters failures and checks
#   at 0, CASE "setup".
# fail MESSAGE...
#   prints "FAIL: CASE: MESSAGE" and counts a failure.
# shellcheck disable=SC2034 # (the variables are the sourcing test's)
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"

tool_test_begin() {
	export LC_ALL=C
	build=$(cd "$1" && pwd)
	mkfixture=$build/testsuite/mkfixture
	fk=$build/testsuite/libfake-kernel.so
	[ -f "$fk" ] || { echo "${0##*/}: $fk not found (build with -Dtests=true)" >&2; exit 1; }
	work=$(mktemp -d)
	trap '[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
	cd "$work" || exit 1
	src=$(wrapped_dir "$build/src" "$work/wrap")
	K=6.1.0-fake
	base=$work/base
	R=$work/root
	MD=$base/lib/modules/$K
	CONF=$base/etc/modprobe.d
	failures=0
	checks=0
	CASE=setup
}

fail() { echo "FAIL: $CASE: $*"; failures=$((failures + 1)); }
