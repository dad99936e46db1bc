#!/bin/bash
# Real programs on our libkmod.so.2: Debian 13's dracut-install (dracut-core)
# and lspci -k (pciutils), exactly as Debian builds them, run once on the
# chroot's libkmod2 34.2 and once on ours (LD_LIBRARY_PATH), their results
# compared.
#
# Usage: testsuite/differential/libkmod-clients.sh BUILD_DIR
#
# In the trixie chroot of tools/trixie-chroot (must hold .complete), with a
# hard-linked copy of Debian's module tree indexed by the reference depmod in
# the chroot's /tmp:
#   dracut-install  installs into a fresh directory, per library:
#                   every module of the tree by name (-m), with dependencies,
#                   softdeps and firmware (a firmware directory holding every
#                   other firmware file the modules name); then the symbol
#                   and path filters dracut's own modules use (-s, -S, -P on
#                   =drivers/...). The lists of installed files, symlinks and
#                   directories (with sizes and link targets), the exit status
#                   and the messages must be identical.
#   lspci -k        on this machine's PCI devices, with the tree copy as
#                   /lib/modules/$(uname -r) (in a private mount namespace:
#                   an overlay over the chroot's /usr/lib, nothing is left
#                   behind); the outputs must be identical, and libkmod2 34.2
#                   must name at least one module (else nothing is proved).
# Both programs are checked (ldd) to load the library meant for each run.
#
# Environment:
#   KMODLITE_CACHE   cache directory (see tools/fetch-debian-kernel)
#   KMODLITE_TRIXIE  the chroot (default CACHE/trixie)
#   REF_DEPMOD       reference depmod (default /usr/sbin/depmod)
#   DIFF_KEEP        a directory: the listings and outputs copied there
#
# Exit status: 0 identical, 1 a difference (or a client failing only on
# ours), 2 setup error, 3 our library or the chroot was not there (not a
# pass).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)
TAG=libkmod-clients
die() { printf '%s: ERROR: %s\n' "$TAG" "$*" >&2; exit 2; }
say() { printf '%s: %s\n' "$TAG" "$*"; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
REF_DEPMOD=${REF_DEPMOD:-/usr/sbin/depmod}
OURLIB=$BUILD_DIR/libkmodlite/libkmod/libkmod.so.2
[[ $(id -u) == 0 ]] || die "needs root (chroot, mount namespace)"
[[ -x $REF_DEPMOD ]] || die "reference $REF_DEPMOD not found (apt-get install kmod)"
[[ -x /usr/sbin/modinfo ]] || die "/usr/sbin/modinfo not found (apt-get install kmod)"
for t in diff unshare chroot mount; do
	command -v "$t" >/dev/null || die "$t not found"
done

fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
ROOT=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
KVER=$(sed -n 's/^KVER=//p' <<<"$fetch_out")
[[ -n $ROOT && -n $KVER && -d $ROOT/lib/modules/$KVER ]] || die "bad fetch-debian-kernel output: $fetch_out"
CACHE=$(dirname "$ROOT")
CHROOT=${KMODLITE_TRIXIE:-$CACHE/trixie}
if [[ ! -f $CHROOT/.complete ]]; then
	say "SKIPPED: no Debian 13 chroot at $CHROOT (make it with tools/trixie-chroot): nothing was compared (this is not a pass)"
	exit 3
fi
if [[ ! -f $OURLIB ]]; then
	say "SKIPPED: our library $OURLIB is not built: nothing was compared (this is not a pass)"
	exit 3
fi
for f in usr/lib/dracut/dracut-install usr/bin/lspci; do
	[[ -x $CHROOT/$f ]] || die "/$f missing in the chroot (tools/trixie-chroot installs dracut-core and pciutils)"
done

# The work directory is in the chroot's /tmp: $WORK on the host, $CWORK inside.
WORK=$(mktemp -d "$CHROOT/tmp/libkmod-clients.XXXXXX")
CWORK=/tmp/${WORK##*/}
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the tree
t0=$SECONDS
mkdir -p "$WORK/root/lib/modules"
cp -al -- "$ROOT/lib/modules/$KVER" "$WORK/root/lib/modules/"
# the copy shares the pristine tree's files: remove (not rewrite) whatever
# depmod will write, so the hard links are broken first
find "$WORK/root/lib/modules/$KVER" -maxdepth 1 -name 'modules.*' \
	! -name modules.order ! -name modules.builtin ! -name modules.builtin.modinfo -delete
"$REF_DEPMOD" -b "$WORK/root" "$KVER" || die "reference depmod failed"
TREE=$WORK/root/lib/modules/$KVER
nmods=$(grep -c . "$TREE/modules.dep")
# every module by name, as dracut's 90kernel-modules does with modules.dep
sed 's/:.*//; s,.*/,,; s/\.ko.*//' "$TREE/modules.dep" >"$WORK/modnames"

# Firmware: every other file the modules name (the rest stays missing, so
# both the found and the missing path are taken), empty files
mkdir -p "$WORK/fw"
find "$TREE" -name '*.ko*' -print0 | xargs -0 /usr/sbin/modinfo -F firmware |
	sort -u | grep -v '[*?]' | grep -v '\.\.' | awk 'NR % 2' >"$WORK/fwnames" ||
	die "modinfo -F firmware failed"
while read -r fw; do
	mkdir -p "$WORK/fw/$(dirname "$fw")"
	: >"$WORK/fw/$fw"
done <"$WORK/fwnames"
say "tree: $nmods modules in a copy of $ROOT/lib/modules/$KVER, indexed by $REF_DEPMOD;" \
	"$(wc -l <"$WORK/fwnames") firmware files ($((SECONDS - t0))s)"

# Our library and the libraries it needs from the build directory
mkdir -p "$WORK/ourlib"
ourdirs=$(dirname "$OURLIB")
while read -r dep; do
	case $dep in "$BUILD_DIR"/*) ourdirs+=:$(dirname "$dep") ;; esac
done < <(ldd "$OURLIB" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
IFS=: read -r -a dirs <<<"$ourdirs"
for d in "${dirs[@]}"; do cp -L -- "$d"/*.so* "$WORK/ourlib/" 2>/dev/null || true; done
[[ -f $WORK/ourlib/libkmod.so.2 ]] || die "could not copy $OURLIB"

# ---------------------------------------------------------------- inside
# Runs in the chroot: for each library, the clients, their outputs in
# CWORK/out/LIB/. The filters are those of dracut's own modules:
#   block  90kernel-modules (_blockfuncs over =drivers)
#   drm    45drm (-s and -S over =drivers/gpu/drm and =drivers/staging)
#   net    dracut-network's 90kernel-network-modules (-P and -s)
#   nosym  -S alone, over every module by name
cat >"$WORK/inner.sh" <<'INNER'
set -u
W=$1 KVER=$2
K=$W/root/lib/modules/$KVER
blockfuncs='ahci_platform_get_resources|ata_scsi_ioctl|scsi_add_host|blk_cleanup_queue|register_mtd_blktrans|scsi_esp_register|register_virtio_device|usb_stor_disconnect|mmc_add_host|sdhci_add_host|scsi_add_host_with_dma|blk_alloc_disk|blk_mq_alloc_disk|blk_mq_alloc_request|blk_mq_destroy_queue|blk_cleanup_disk'
drmfuncs='drm_crtc_init|drm_dev_register|drm_encoder_init'
netfuncs='eth_type_trans|register_virtio_device|usb_serial_init'
netunwanted='.*/(wireless|isdn|uwb|net/ethernet|net/phy|net/team)/.*'
mapfile -t names <"$W/modnames"
for lib in ref ours; do
	o=$W/out/$lib
	mkdir -p "$o"
	if [ "$lib" = ours ]; then
		export LD_LIBRARY_PATH=$W/ourlib
		want=$W/ourlib/libkmod.so.2
	else
		unset LD_LIBRARY_PATH
		want=$(readlink -f /lib/x86_64-linux-gnu/libkmod.so.2)
	fi
	for b in /usr/lib/dracut/dracut-install /usr/bin/lspci; do
		got=$(ldd "$b" | awk '$1 == "libkmod.so.2" {print $3}')
		if [ "$(readlink -f "$got")" != "$(readlink -f "$want")" ]; then
			echo "$b loads libkmod.so.2 from '$got', not $want" >"$o/WRONG-LIBRARY"
			continue 2
		fi
	done
	di() {
		# the same destination for both libraries: the messages name it
		local run=$1 t=$SECONDS d=$W/dest
		shift
		rm -rf "$d" && mkdir "$d"
		/usr/lib/dracut/dracut-install -D "$d" --kerneldir "$K" \
			--firmwaredirs "$W/fw" "$@" >"$o/$run.msg" 2>&1
		echo "exit status $?" >>"$o/$run.msg"
		(cd "$d" && find . -type d -printf 'd %P\n' &&
			find . ! -type d -printf '%y %P %s %l\n') | LC_ALL=C sort >"$o/$run.list"
		rm -rf "$d"
		echo "$((SECONDS - t))" >"$o/$run.time"
	}
	di all -m "${names[@]}"
	di block -o -m -s "$blockfuncs" =drivers
	di drm -o -m -s "$drmfuncs" -S iw_handler_get_spy =drivers/gpu/drm =drivers/staging
	di net -o -m -P "$netunwanted" -s "$netfuncs" =drivers/net
	di nosym -o -m -S "$drmfuncs|$netfuncs" "${names[@]}"
	lspci -k >"$o/lspci" 2>&1
	echo "exit status $?" >>"$o/lspci"
done
INNER

t0=$SECONDS
unshare -m --propagation private sh -c '
	set -e
	c=$1 w=$2; shift 2
	for m in proc sys dev; do
		mountpoint -q "$c/$m" || mount --bind "/$m" "$c/$m"
	done
	# /lib/modules/$(uname -r) for lspci: an overlay on the chroot'"'"'s
	# /usr/lib (/lib is a link to it) whose upper layer is a tmpfs
	mkdir -p "$w/ovl"
	mount -t tmpfs tmpfs "$w/ovl"
	mkdir "$w/ovl/up" "$w/ovl/wk"
	mount -t overlay overlay -o "lowerdir=$c/usr/lib,upperdir=$w/ovl/up,workdir=$w/ovl/wk" "$c/usr/lib"
	mkdir -p "$c/usr/lib/modules/$(uname -r)"
	mount --bind "$w/root/lib/modules/$1" "$c/usr/lib/modules/$(uname -r)"
	exec chroot "$c" /bin/bash "$3" "$2" "$1"' \
	sh "$CHROOT" "$WORK" "$KVER" "$CWORK" "$CWORK/inner.sh" ||
	die "running the clients in the chroot failed"
say "clients ran in $((SECONDS - t0))s"

# ---------------------------------------------------------------- compare
status=0
for lib in ref ours; do
	if [[ -f $WORK/out/$lib/WRONG-LIBRARY ]]; then
		say "FAIL: $(cat "$WORK/out/$lib/WRONG-LIBRARY")"
		status=1
	fi
done
if (( status == 0 )); then
	for run in all block drm net nosym; do
		r=$WORK/out/ref/$run o=$WORK/out/ours/$run
		files=$(grep -vc '^d ' "$r.list" || true)
		mods=$(grep -c '\.ko' "$r.list" || true)
		# firmware is installed at its path in the firmware directory
		fws=$(grep -c "^f ${CWORK#/}/fw/" "$r.list" || true)
		say "dracut-install $run: $files paths installed by 34.2 ($mods modules, $fws firmware)," \
			"$(grep -vc '^d ' "$o.list" || true) by ours (in $(cat "$r.time")s and $(cat "$o.time")s)"
		(( files > 0 )) || { say "FAIL: dracut-install $run installed nothing with 34.2: nothing compared"; status=1; }
		tail -1 "$r.msg" | grep -qx 'exit status 0' ||
			{ say "FAIL: dracut-install $run failed with 34.2: $(tail -3 "$r.msg")"; status=1; }
		if ! diff -u "$r.list" "$o.list" >"$WORK/diff-$run.list"; then
			say "FAIL: dracut-install $run: installed files differ (34.2 -, ours +):"
			head -40 "$WORK/diff-$run.list" | sed "s/^/$TAG: | /"
			status=1
		fi
		if ! diff -u "$r.msg" "$o.msg" >"$WORK/diff-$run.msg"; then
			say "FAIL: dracut-install $run: messages or exit status differ (34.2 -, ours +):"
			head -20 "$WORK/diff-$run.msg" | sed "s/^/$TAG: | /"
			status=1
		fi
	done
	r=$WORK/out/ref/lspci o=$WORK/out/ours/lspci
	devs=$(grep -c '^[0-9a-f]' "$r" || true)
	named=$(grep -c $'^\tKernel modules:' "$r" || true)
	say "lspci -k: $devs devices, $named named with kernel modules by 34.2, $(grep -c $'^\tKernel modules:' "$o" || true) by ours"
	(( named > 0 )) || { say "FAIL: lspci -k names no module with libkmod2 34.2: nothing compared"; status=1; }
	if ! diff -u "$r" "$o" >"$WORK/diff-lspci"; then
		say "FAIL: lspci -k output differs (34.2 -, ours +):"
		head -30 "$WORK/diff-lspci" | sed "s/^/$TAG: | /"
		status=1
	fi
fi
if [[ -n ${DIFF_KEEP:-} ]]; then
	mkdir -p "$DIFF_KEEP"
	cp -r -- "$WORK/out" "$DIFF_KEEP/" 2>/dev/null || true
	cp -- "$WORK"/diff-* "$DIFF_KEEP/" 2>/dev/null || true
	say "outputs copied to $DIFF_KEEP"
fi
say "done in ${SECONDS}s, exit status $status"
exit "$status"
