#!/bin/bash
# `meson install` with DESTDIR installs exactly this, nothing more or less:
#   SBINDIR/kmod, and lsmod modprobe rmmod insmod modinfo depmod as symlinks
#     to it (the tools carry the library's code: libkmodlite is internal,
#     neither it nor kmodlite.h is installed);
#   with -Dlibkmod: LIBDIR/libkmod.so.2.5.1, the libkmod.so.2 and libkmod.so
#     links, INCLUDEDIR/libkmod.h and LIBDIR/pkgconfig/libkmod.pc;
#   the manual pages of man/meson.build under MANDIR;
#   DATADIR/bash-completion/completions/modprobe, and depmod insmod kmod
#     lsmod modinfo rmmod as symlinks to it.
# Then: the installed modinfo runs; the installed libkmod.so.2 exports
# libkmod's functions (those of testsuite/libkmod/libkmod-34.2.symbols) and
# its version nodes, nothing else, and no installed file exports a kml_*
# symbol; a program built with the installed libkmod.pc and libkmod.h
# links and runs against the installed libkmod.so.2.
#
#   install.sh BUILD_DIR SBINDIR LIBDIR INCLUDEDIR MANDIR DATADIR \
#              LIBKMOD(true|false) SYMBOLS_FILE SANITIZE(b_sanitize)
# The directories are absolute (meson's options joined to the prefix).
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
build=$1 sbindir=$2 libdir=$3 includedir=$4 mandir=$5 datadir=$6
libkmod=$7 symbols=$8 sanitize=$9
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/root
DESTDIR=$stage meson install -C "$build" --no-rebuild >/dev/null
fail=0

# ---------------------------------------------------------------- the list
{
	echo "$sbindir/kmod"
	for t in lsmod modprobe rmmod insmod modinfo depmod; do
		echo "$sbindir/$t -> kmod"
	done
	if [ "$libkmod" = true ]; then
		echo "$libdir/libkmod.so.2.5.1"
		echo "$libdir/libkmod.so.2 -> libkmod.so.2.5.1"
		echo "$libdir/libkmod.so -> libkmod.so.2"
		echo "$libdir/pkgconfig/libkmod.pc"
		echo "$includedir/libkmod.h"
	fi
	for m in depmod.d.5 modprobe.d.5 modules.dep.5; do
		echo "$mandir/man5/$m"
	done
	for m in modinfo depmod modprobe insmod rmmod lsmod kmod kmod-params kmod-why; do
		echo "$mandir/man8/$m.8"
	done
	echo "$datadir/bash-completion/completions/modprobe"
	for t in depmod insmod kmod lsmod modinfo rmmod; do
		echo "$datadir/bash-completion/completions/$t -> modprobe"
	done
} | sed 's|//*|/|g' | LC_ALL=C sort > "$work/expected"
(cd "$stage" && find . ! -type d | while read -r f; do
	if [ -L "$f" ]; then
		echo "${f#.} -> $(readlink "$f")"
	elif [ -f "$f" ]; then
		echo "${f#.}"
	else
		echo "${f#.} (not a file)"
	fi
done) | LC_ALL=C sort > "$work/installed"
if ! diff -u "$work/expected" "$work/installed" > "$work/diff"; then
	echo "FAIL: the installed files differ from the list (- expected, + installed):"
	sed -n '3,$p' "$work/diff"
	fail=1
fi

# ---------------------------------------------------- the installed kmod runs
sbin=$stage$sbindir
if [ -x "$sbin/kmod" ]; then
	# (through $KMODLITE_TEST_WRAPPER if set: wrap.sh)
	"$(wrapped_dir "$sbin" "$work/wrap")/modinfo" -V | grep -q '^kmodlite version' ||
		{ echo "FAIL: installed modinfo -V"; fail=1; }
	fi

# ------------------------------------------------------- exported symbols
# No installed ELF file exports a kml_* symbol.
while read -r f; do
	if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		kml=$(nm -D --defined-only "$f" | awk '$3 ~ /^kml_/ {sub(/@.*/, "", $3); print $3}')
		[ -z "$kml" ] || {
			echo "FAIL: ${f#"$stage"} exports $(echo "$kml" | wc -l) kml_* symbols:" "$(echo "$kml" | tr '\n' ' ')"
			fail=1
		}
	fi
done < <(find "$stage" -type f)
if [ "$libkmod" = true ]; then
	so=$stage$libdir/libkmod.so.2.5.1
	grep -v '^#' "$symbols" | awk '{print $1; print $2}' | LC_ALL=C sort -u > "$work/want"
	nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | LC_ALL=C sort -u > "$work/have"
	if ! diff -u "$work/want" "$work/have" > "$work/diff"; then
		echo "FAIL: libkmod.so.2 exports (- libkmod's and missing, + not libkmod's):"
		sed -n '3,$p' "$work/diff"
		fail=1
	fi
	echo "libkmod.so.2 exports $(grep -c '^kmod_' "$work/have") functions"

	# ------------------------------- a program built against the install
	cat > "$work/prog.c" <<-'EOF'
	#include <libkmod.h>
	#include <stdio.h>
	int main(int argc, char **argv)
	{
		struct kmod_ctx *ctx = kmod_new(argv[1], NULL);
		if (argc < 2 || !ctx)
			return 1;
		puts(kmod_get_dirname(ctx));
		kmod_unref(ctx);
		return 0;
	}
	EOF
	san=()
	[ "$sanitize" = none ] || san=("-fsanitize=$sanitize")
	# shellcheck disable=SC2046 # (pkg-config's words are meant to split)
	if ! PKG_CONFIG_LIBDIR=$stage$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
		"${CC:-cc}" "${san[@]}" -o "$work/prog" "$work/prog.c" \
		$(PKG_CONFIG_LIBDIR=$stage$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
			pkg-config --cflags --libs libkmod) 2> "$work/err"; then
		echo "FAIL: a program does not build with the installed libkmod.pc:"
		cat "$work/err"
		fail=1
	else
		loaded=$(LD_LIBRARY_PATH=$stage$libdir ldd "$work/prog" |
			awk '$1 == "libkmod.so.2" {print $3}')
		[ "$loaded" = "$stage$libdir/libkmod.so.2" ] ||
			{ echo "FAIL: the program loads ${loaded:-no libkmod.so.2}, not the installed one"; fail=1; }
		out=$(LD_LIBRARY_PATH=$stage$libdir "$work/prog" "$work/mods") ||
			{ echo "FAIL: the program against the installed libkmod.so.2 failed"; fail=1; }
		[ "$out" = "$work/mods" ] ||
			{ echo "FAIL: kmod_get_dirname gave '$out', not '$work/mods'"; fail=1; }
	fi
fi
[ $fail = 0 ] && echo "install: ok"
exit $fail
