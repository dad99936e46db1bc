#!/bin/bash
# Build kmodlite's VM test modules against Debian's kernel headers.
# Usage: build.sh KVER WORKDIR OUTDIR
# Needs make, gcc, openssl, perl, strip and linux-headers-KVER (which brings
# linux-kbuild's sign-file and the kernel's gcc-12): as root, installs what is
# missing with apt-get. It fails when something is still missing, and
# tools/vm-test then fails too, unless skipping was asked for.
# OUTDIR receives vmt_*.ko: vmt_signed.ko signed with a throwaway key
# (OUTDIR/../signer.txt gets its CN), vmt_vermagic.ko with a vermagic that
# does not match the kernel.
set -euo pipefail
KVER=$1 WORK=$2 OUT=$3
src=$(cd "$(dirname "$0")" && pwd)
KDIR=/lib/modules/$KVER/build
missing() {
	local c
	for c in make gcc openssl perl strip; do
		command -v $c >/dev/null || echo "$c"
	done
	[[ -e $KDIR/Makefile ]] || echo "linux-headers-$KVER"
}
need=($(missing | sed 's/^perl$/perl-base/; s/^strip$/binutils/'))
if (( ${#need[@]} && EUID == 0 )); then
	apt_install() {
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
			--no-install-recommends "${need[@]}"
	}
	apt_install || { apt-get update -q && apt_install; } || echo "apt-get install ${need[*]} failed"
fi
still=$(missing | tr '\n' ' ')
[[ -z $still ]] || { echo "missing: $still(Debian packages; run as root to install them)"; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK" "$OUT"
cp "$src"/Kbuild "$src"/*.c "$WORK/"
# modpost must see vmt_export's symbols when it checks vmt_user: one M= dir.
make -s -C "$KDIR" M="$WORK" modules
strip --strip-debug "$WORK"/vmt_*.ko
# sign vmt_signed.ko with a throwaway key
signfile=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
[[ -x $signfile ]] || { echo "no sign-file"; exit 1; }
openssl req -new -nodes -utf8 -sha256 -days 2 -batch -x509 -subj "/CN=kmodlite vmtest throwaway key/" \
	-newkey rsa:2048 -keyout "$WORK/key.pem" -outform DER -out "$WORK/cert.der" 2>/dev/null
"$signfile" sha256 "$WORK/key.pem" "$WORK/cert.der" "$WORK/vmt_signed.ko"
tail -c 28 "$WORK/vmt_signed.ko" | grep -q 'Module signature appended' || { echo "signing failed"; exit 1; }
# a vermagic that is not this kernel's, same length. With CONFIG_MODVERSIONS
# the kernel ignores the version part (up to the first space) of a module
# with CRCs, so change a flag after it too: mod_unload -> mod_unlxad.
bad=$(printf '%s' "$KVER" | sed 's/.....$/zzzzz/')
perl -0777 -pi -e "s/vermagic=\Q$KVER\E (.*?)mod_unload/vermagic=$bad \$1mod_unlxad/" "$WORK/vmt_vermagic.ko"
grep -aq "vermagic=$bad .*mod_unlxad" "$WORK/vmt_vermagic.ko" || { echo "vermagic rewrite failed"; exit 1; }
cp "$WORK"/vmt_*.ko "$OUT/"
