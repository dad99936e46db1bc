#!/bin/bash
# `meson install` with DESTDIR puts kmod in sbindir with the six tool names
# as symlinks to it, the library, its header, pkg-config file and man pages.
#   install.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
build=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage meson install -C "$build" --no-rebuild >/dev/null
sbin=$(dirname "$(find "$stage" -name kmod -type f)")
fail=0
for t in lsmod modprobe rmmod insmod modinfo depmod; do
	[ "$(readlink "$sbin/$t")" = kmod ] || { echo "FAIL: $sbin/$t is not a symlink to kmod"; fail=1; }
done
for f in kmodlite.h libkmodlite.pc modinfo.8 libkmodlite.so.0; do
	[ -n "$(find "$stage" -name "$f")" ] || { echo "FAIL: $f not installed"; fail=1; }
done
# the installed binary runs (with the staged library)
lib=$(dirname "$(find "$stage" -name 'libkmodlite.so.0')")
# (through $KMODLITE_TEST_WRAPPER if set: wrap.sh)
LD_LIBRARY_PATH=$lib "$(wrapped_dir "$sbin" "$stage/wrap")/modinfo" -V | grep -q '^kmodlite version' || { echo "FAIL: installed modinfo -V"; fail=1; }
# only the public API is exported
extra=$(nm -D --defined-only "$lib/libkmodlite.so.0" | awk '{print $3}' | grep -v '^kml_' | grep -v '^LIBKMODLITE_' || true)
[ -z "$extra" ] || { echo "FAIL: exported beyond the API: $extra"; fail=1; }
[ $fail = 0 ] && echo "install: ok"
exit $fail
