#!/bin/bash
# Build kmodlite's VM test modules against Debian's kernel headers.
# Usage: build.sh KVER WORKDIR OUTDIR
# Needs linux-headers-KVER (installed with apt-get if missing; fails, and the
# VM checks are skipped, if that does not work within a few minutes).
# OUTDIR receives vmt_*.ko: vmt_signed.ko signed with a throwaway key
# (OUTDIR/../signer.txt gets its CN), vmt_vermagic.ko with a vermagic that
# does not match the kernel.
set -euo pipefail
KVER=$1 WORK=$2 OUT=$3
src=$(cd "$(dirname "$0")" && pwd)
KDIR=/lib/modules/$KVER/build
if [[ ! -e $KDIR/Makefile ]]; then
	(( EUID == 0 )) || { echo "no headers for $KVER and not root"; exit 1; }
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y "linux-headers-$KVER" ||
		{ echo "apt-get install linux-headers-$KVER failed"; exit 1; }
fi
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
