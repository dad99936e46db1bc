#!/bin/sh
# A program linked against Debian 12's libkmod2 30 (whose
# kmod_module_new_from_name_lookup is at LIBKMOD_5) runs on our
# libkmod.so.2 and calls it. Needs the system's libkmod.h and libkmod.so
# (libkmod-dev) of that version: without them the test is skipped (77).
# Usage: check-compat-30.sh LIBKMOD_SO PROGRAM_SOURCE
set -eu
lib=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
[ -f /usr/include/libkmod.h ] || { echo "SKIP: no /usr/include/libkmod.h (libkmod-dev)"; exit 77; }
${CC:-cc} -std=gnu11 -O1 -o "$tmp/prog" "$src" -lkmod ||
	{ echo "SKIP: cannot link against the system's libkmod"; exit 77; }
want=kmod_module_new_from_name_lookup@LIBKMOD_5
readelf --dyn-syms -W "$tmp/prog" | grep -q " $want " ||
	{ echo "SKIP: the system's libkmod is not Debian 12's 30 (no $want)"; exit 77; }
echo "the program needs $want"
# the module directory: the real tree when the test environment gives one
# (KMODLITE_TEST_ROOT, KMODLITE_TEST_KVER: e1000e must be found), else an
# empty one (nothing found, rc 0)
dir=$tmp/empty name=e1000e want_name="(none)"
mkdir -p "$dir"
if [ -n "${KMODLITE_TEST_ROOT:-}" ] && [ -n "${KMODLITE_TEST_KVER:-}" ]; then
	dir=$KMODLITE_TEST_ROOT/lib/modules/$KMODLITE_TEST_KVER want_name=e1000e
fi
# a sanitizer build of ours needs its runtimes loaded first, as the
# program is not instrumented
pre=$(ldd "$lib" | awk '$1 ~ /^lib(asan|ubsan)\.so/ && $3 ~ /^\// { print $3 }' | tr '\n' ' ')
status=0
out=$(LD_PRELOAD=$pre LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/prog" "$dir" "$name" 2>&1) || status=$?
echo "$out"
[ "$status" = 0 ] || { echo "FAIL: exit status $status"; exit 1; }
expected="null-ctx rc=-2"
[ "$(echo "$out" | head -1)" = "$expected" ] || { echo "FAIL: expected '$expected'"; exit 1; }
echo "$out" | grep -q "^rc=0 name=$want_name " || { echo "FAIL: expected rc=0 name=$want_name"; exit 1; }
echo "ok: $want resolved in $lib and called"
